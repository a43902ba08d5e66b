package pushsim_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
)

func TestServer_SimEndpoints(t *testing.T) {
	e := setup(t, pushsim.Config{})
	id := e.createMessage(t, testAppKey)
	if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "a,b"); err != nil {
		t.Fatalf("ContinuouslyPush: %v", err)
	}

	t.Run("GET /sim/stats", func(t *testing.T) {
		var st pushsim.Stats
		e.simCall(t, http.MethodGet, "/sim/stats", http.StatusOK, &st)
		if got := st.Deliveries["DEVICE:a"]; got != 1 {
			t.Errorf("got DEVICE:a delivered %d times, want 1", got)
		}
		if got := st.PerMessage[id].Used; got != 2 {
			t.Errorf("got Used %d, want 2", got)
		}
		wantCalls(t, st, pushsim.ActionContinuouslyPush, pushsim.StatOK, 1)
	})
	t.Run("POST /sim/advance", func(t *testing.T) {
		before := e.sim.Now()
		e.simCall(t, http.MethodPost, "/sim/advance?d=25h", http.StatusOK, nil)
		if got := e.sim.Now().Sub(before); got < 25*time.Hour {
			t.Errorf("got the clock moved %v, want 25h", got)
		}
		_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "c")
		wantServerError(t, err, codes.MessageExpired.Code, http.StatusBadRequest)
	})
	t.Run("POST /sim/faults and /sim/qps", func(t *testing.T) {
		e.simCall(t, http.MethodPost, "/sim/faults?transient=1", http.StatusOK, nil)
		id := e.createMessage(t, testAppKey)
		_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "c")
		wantServerError(t, err, pushsim.CodeServiceUnavailable, http.StatusServiceUnavailable)
		e.simCall(t, http.MethodPost, "/sim/faults", http.StatusOK, nil)
		e.simCall(t, http.MethodPost, "/sim/qps?action=Push&qps=0.001&burst=1", http.StatusOK, nil)
		e.createMessage(t, testAppKey)
		_, err = e.client.Push(e.pushRequest(testAppKey))
		wantServerError(t, err, pushsim.CodeThrottlingUser, http.StatusBadRequest)
		e.simCall(t, http.MethodPost, "/sim/qps?action=Push&qps=0", http.StatusOK, nil)
	})
	t.Run("POST /sim/quotas and /sim/stat-model", func(t *testing.T) {
		e.simCall(t, http.MethodPost, "/sim/quotas?off=true", http.StatusOK, nil)
		e.simCall(t, http.MethodPost, "/sim/quotas?off=false", http.StatusOK, nil)
		e.simCall(t, http.MethodPost, "/sim/stat-model?received=1&opened=0.5&settle=1h", http.StatusOK, nil)
	})
	t.Run("POST /sim/reset", func(t *testing.T) {
		e.simCall(t, http.MethodPost, "/sim/reset", http.StatusOK, nil)
		st := e.sim.Stats()
		if len(st.Deliveries) != 0 || len(st.PerMessage) != 0 || len(st.Calls) != 0 {
			t.Errorf("got %+v after reset, want empty stats", st)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		tests := []struct {
			name, method, path string
			status             int
		}{
			{"unknown endpoint", http.MethodGet, "/sim/nope", http.StatusNotFound},
			{"wrong method", http.MethodGet, "/sim/reset", http.StatusMethodNotAllowed},
			{"bad duration", http.MethodPost, "/sim/advance?d=soon", http.StatusBadRequest},
			{"fault rate over 1", http.MethodPost, "/sim/faults?throttle=2", http.StatusBadRequest},
			{"quotas not a bool", http.MethodPost, "/sim/quotas?off=maybe", http.StatusBadRequest},
			{"share over 1", http.MethodPost, "/sim/stat-model?received=2", http.StatusBadRequest},
			{"negative settle", http.MethodPost, "/sim/stat-model?settle=-1s", http.StatusBadRequest},
			{"URL bound not a number", http.MethodPost, "/sim/max-url?bytes=big", http.StatusBadRequest},
			{"bad skew", http.MethodPost, "/sim/clock-skew?d=soon", http.StatusBadRequest},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e.simCall(t, tt.method, tt.path, tt.status, nil)
			})
		}
	})
}

// simCall calls a /sim/ endpoint, checks its status and decodes its JSON into v.
func (e *env) simCall(t *testing.T, method, path string, status int, v any) {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, nil)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: got HTTP %d, want %d", method, path, resp.StatusCode, status)
	}
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("decoding %s: %v", path, err)
		}
	}
}

func TestServe(t *testing.T) {
	t.Run("serves until the context ends", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("Listen: %v", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- pushsim.Serve(ctx, ln, pushsim.New(pushsim.Config{})) }()
		resp, err := http.Get("http://" + ln.Addr().String() + "/sim/stats")
		if err != nil {
			t.Fatalf("GET /sim/stats: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("got HTTP %d, want 200", resp.StatusCode)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("got %v after shutdown, want nil", err)
		}
	})
	t.Run("a bad address fails", func(t *testing.T) {
		err := pushsim.ListenAndServe(context.Background(), "256.0.0.1:bad", pushsim.New(pushsim.Config{}))
		if err == nil {
			t.Fatal("got nil, want an error")
		}
	})
}

func TestServer_Counts(t *testing.T) {
	e := setup(t, pushsim.Config{})
	id := e.createMessage(t, testAppKey)
	if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "a,b"); err != nil {
		t.Fatalf("ContinuouslyPush: %v", err)
	}
	resp, err := http.Get(e.ts.URL + "/sim/counts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got pushsim.Counts
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Delivered != 2 || got.Calls["ContinuouslyPush"]["OK"] != 1 || got.Calls["Push"]["OK"] != 1 {
		t.Errorf("/sim/counts = %+v, want 2 delivered, 1 ContinuouslyPush and 1 Push OK", got)
	}
}
