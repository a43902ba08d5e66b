package httpapi_test

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/httpapi"
)

// TestServer_RedisUnavailable: with Redis unreachable, a job is refused
// with 503 unavailable and a Retry-After, fast, so that a client knows to
// try again; not 500 internal, and not 408 as if its body had not come.
func TestServer_RedisUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: every dial is refused
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 500 * time.Millisecond, MaxRetries: 1})
	t.Cleanup(func() { rdb.Close() })
	srv := httpapi.New(rdb, httpapi.Options{Tokens: []string{token}})
	t.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	e := &env{t: t, url: hs.URL, token: token}

	t.Run("job", func(t *testing.T) {
		start := time.Now()
		resp := e.postJSON(job(nil))
		wantError(t, resp, http.StatusServiceUnavailable, httpapi.CodeUnavailable, "")
		if ra := resp.Header.Get("Retry-After"); ra == "" {
			t.Errorf("503 without Retry-After")
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("answered after %s, want within 5s", d)
		}
	})
	t.Run("upload", func(t *testing.T) {
		resp := e.postStream(streamHeader, devices("u", 2500)...)
		wantError(t, resp, http.StatusServiceUnavailable, httpapi.CodeUnavailable, "")
	})
	t.Run("batch", func(t *testing.T) {
		raw, _ := json.Marshal(job(nil))
		resp := e.postBatch(map[string]any{"jobs": []json.RawMessage{raw}})
		if resp.StatusCode == http.StatusServiceUnavailable {
			wantError(t, resp, http.StatusServiceUnavailable, httpapi.CodeUnavailable, "")
			return
		}
		got := decode[httpapi.BatchCreated](t, resp, http.StatusOK)
		if got.Accepted != 0 || len(got.Results) != 1 || got.Results[0].Error == nil || got.Results[0].Error.Code != httpapi.CodeUnavailable {
			t.Errorf("batch = %+v, want its one job refused as unavailable", got)
		}
	})
	t.Run("status", func(t *testing.T) {
		wantError(t, e.do(http.MethodGet, "/v1/jobs/some-job", "", nil), http.StatusServiceUnavailable, httpapi.CodeUnavailable, "")
	})
}
