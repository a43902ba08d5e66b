package pushsim_test

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/cpush/cpush/internal/pushsim"
)

func TestServer_Throttling(t *testing.T) {
	t.Run("QPS 5", func(t *testing.T) {
		e := setup(t, pushsim.Config{QPS: map[string]float64{pushsim.ActionContinuouslyPush: 5}})
		id := e.createMessage(t, testAppKey)
		ok, throttled := 0, 0
		for i := range 20 {
			_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "q-"+strconv.Itoa(i))
			if err == nil {
				ok++
				continue
			}
			wantServerError(t, err, pushsim.CodeThrottlingUser, http.StatusBadRequest)
			throttled++
		}
		if ok < 5 || throttled == 0 {
			t.Errorf("got %d OK and %d throttled of 20, want at least the burst of 5 OK and some throttled", ok, throttled)
		}
		st := e.sim.Stats()
		wantCalls(t, st, pushsim.ActionContinuouslyPush, pushsim.StatOK, ok)
		wantCalls(t, st, pushsim.ActionContinuouslyPush, pushsim.CodeThrottlingUser, throttled)
		if got := len(st.Deliveries); got != ok {
			t.Errorf("got %d targets delivered, want %d (one per OK call)", got, ok)
		}
		if got := len(st.Violations); got != 0 {
			t.Errorf("got violations %v, want none: throttling is the service's doing", st.Violations)
		}
	})
	t.Run("SetQPS at run time", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		e.sim.SetQPS(pushsim.ActionPush, 1, 2)
		var codes []string
		for range 3 {
			_, err := e.client.Push(e.pushRequest(testAppKey))
			codes = append(codes, codeOf(err))
		}
		if want := []string{"", "", pushsim.CodeThrottlingUser}; !slices.Equal(codes, want) {
			t.Errorf("got codes %q, want %q", codes, want)
		}
		e.sim.SetQPS(pushsim.ActionPush, 0, 0)
		if _, err := e.client.Push(e.pushRequest(testAppKey)); err != nil {
			t.Errorf("after removing the quota: %v", err)
		}
	})
	t.Run("ThrottleRate 1", func(t *testing.T) {
		e := setup(t, pushsim.Config{ThrottleRate: 1})
		id := e.createMessage(t, testAppKey)
		_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "a")
		wantServerError(t, err, pushsim.CodeThrottlingUser, http.StatusBadRequest)
	})
}

func TestServer_Faults(t *testing.T) {
	t.Run("transient fault rate 1", func(t *testing.T) {
		e := setup(t, pushsim.Config{TransientFaultRate: 1})
		id := e.createMessage(t, testAppKey)
		_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, values("t", 10))
		wantServerError(t, err, pushsim.CodeServiceUnavailable, http.StatusServiceUnavailable)
		st := e.sim.Stats()
		if len(st.Deliveries) != 0 || st.PerMessage[id].Used != 0 {
			t.Errorf("got %d deliveries and Used %d, want none", len(st.Deliveries), st.PerMessage[id].Used)
		}
		wantCalls(t, st, pushsim.ActionContinuouslyPush, pushsim.CodeServiceUnavailable, 1)
	})
	t.Run("ambiguous fault rate 1, error mode", func(t *testing.T) {
		e := setup(t, pushsim.Config{AmbiguousFaultRate: 1})
		id := e.createMessage(t, testAppKey)
		_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, values("amb", 10))
		wantServerError(t, err, pushsim.CodeInternalError, http.StatusInternalServerError)
		st := e.sim.Stats()
		wantDelivered(t, st, pushsim.TargetDevice, values("amb", 10), 1)
		if got := st.PerMessage[id].Used; got != 10 {
			t.Errorf("got Used %d, want 10", got)
		}
		wantCalls(t, st, pushsim.ActionContinuouslyPush, pushsim.CodeInternalError, 1)
	})
	t.Run("ambiguous fault rate 1, drop mode", func(t *testing.T) {
		e := setup(t, pushsim.Config{AmbiguousFaultRate: 1, AmbiguousMode: pushsim.AmbiguousDrop})
		id := e.createMessage(t, testAppKey)
		_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, values("drop", 10))
		var se *sdkerrors.ServerError
		if err == nil || errors.As(err, &se) {
			t.Fatalf("got error %v, want a connection error with no answer", err)
		}
		st := e.sim.Stats()
		wantDelivered(t, st, pushsim.TargetDevice, values("drop", 10), 1)
		wantCalls(t, st, pushsim.ActionContinuouslyPush, pushsim.StatDropped, 1)
	})
	t.Run("faults spare refused calls", func(t *testing.T) {
		e := setup(t, pushsim.Config{AmbiguousFaultRate: 1})
		_, err := e.pushValues(testAppKey, "404", pushsim.TargetDevice, "a")
		wantServerError(t, err, codes.MessageNotFound.Code, http.StatusNotFound)
	})
	t.Run("SetFaults at run time", func(t *testing.T) {
		e := setup(t, pushsim.Config{Seed: 7})
		id := e.createMessage(t, testAppKey)
		e.sim.SetFaults(1, 0, 0)
		_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "a")
		wantServerError(t, err, pushsim.CodeServiceUnavailable, http.StatusServiceUnavailable)
		e.sim.SetFaults(0, 0, 0)
		if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "a"); err != nil {
			t.Fatalf("after clearing faults: %v", err)
		}
	})
	t.Run("latency", func(t *testing.T) {
		e := setup(t, pushsim.Config{Latency: 50 * time.Millisecond})
		start := time.Now()
		e.createMessage(t, testAppKey)
		if got := time.Since(start); got < 50*time.Millisecond {
			t.Errorf("got a call of %v, want at least 50ms", got)
		}
	})
}

// codeOf returns the service's code of err, "" for nil.
func codeOf(err error) string {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return se.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
