package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push/alibaba"
	"github.com/cpush/cpush/worker"
)

const testAppKey = 23267207

// testReceivers is the webhook allowlist of tests: their receivers are
// httptest servers on loopback.
var testReceivers = []string{"127.0.0.1/32"}

// env is a test's cpush behind the HTTP API: real Redis (or miniredis),
// the simulator over HTTP driven by the real SDK, optionally a worker
// server, and the API on an httptest server.
type env struct {
	t      testing.TB
	rdb    redis.UniversalClient
	prefix string
	sim    *pushsim.Server
	svc    *alibaba.Client
	client *jobs.Client
	srv    *httpapi.Server
	url    string
	token  string // sent by do; "" sends none
}

// options set up an env.
type options struct {
	api           httpapi.Options // Jobs.Prefix is set by setup
	sim           pushsim.Config
	worker        bool // run a worker server
	workerOpts    worker.Options
	webhookSecret string
}

func setup(t testing.TB, o options) *env {
	t.Helper()
	rdb, prefix := redistest.Namespace(t)
	e := &env{t: t, rdb: rdb, prefix: prefix, sim: pushsim.New(noQuotas(o.sim))}
	simSrv := httptest.NewServer(e.sim)
	t.Cleanup(simSrv.Close)
	svc, err := alibaba.New(alibaba.Config{Region: "cn-hangzhou", Endpoint: simSrv.URL,
		AccessKeyID: pushsim.TestAccessKeyID, AccessKeySecret: pushsim.TestAccessKeySecret, ReadTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	e.svc = svc
	o.api.Jobs.Prefix = prefix
	e.client = jobs.NewClient(rdb, o.api.Jobs)
	t.Cleanup(func() { e.client.Close() })
	e.srv = httpapi.New(rdb, o.api)
	t.Cleanup(func() { e.srv.Close() })
	hs := httptest.NewServer(e.srv.Handler())
	t.Cleanup(hs.Close)
	e.url = hs.URL
	if len(o.api.Tokens) > 0 {
		e.token = o.api.Tokens[0]
	}
	if o.worker {
		e.startWorker(o.workerOpts, o.webhookSecret)
	}
	return e
}

// startWorker runs an asynq server with cpush's handlers and webhooks.
func (e *env) startWorker(opts worker.Options, secret string) {
	e.t.Helper()
	opts.Prefix = e.prefix
	opts.RetryBase, opts.RetryMax = 20*time.Millisecond, 200*time.Millisecond
	opts.Rates = worker.Rates{ContinuouslyPush: 2000, Push: 500, Complete: 500}
	w, err := worker.New(e.rdb, worker.SingleApp(e.svc), opts)
	if err != nil {
		e.t.Fatal(err)
	}
	hooks, err := worker.NewWebhooks(e.rdb, worker.WebhookOptions{Prefix: e.prefix, Secret: []byte(secret), Timeout: 2 * time.Second,
		Allow: testReceivers})
	if err != nil {
		e.t.Fatal(err)
	}
	srv, err := w.Start(4, hooks)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { srv.Shutdown(); w.Close() })
}

// do sends a request with e.token as a bearer token.
func (e *env) do(method, path, contentType string, body io.Reader) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// postJSON posts v (a string is sent as it is) as a JSON job.
func (e *env) postJSON(v any) *http.Response {
	e.t.Helper()
	body, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			e.t.Fatal(err)
		}
		body = string(b)
	}
	return e.do(http.MethodPost, "/v1/jobs", httpapi.MediaJSON, strings.NewReader(body))
}

// decode reads resp's JSON body into v, checking the status first.
func decode[T any](t *testing.T, resp *http.Response, wantStatus int) T {
	t.Helper()
	var v T
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s = %d %s, want %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, body, wantStatus)
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return v
}

// apiError is the JSON error body.
type apiError struct {
	Error httpapi.Error `json:"error"`
}

// wantError checks that resp is the error status, code and field.
func wantError(t *testing.T, resp *http.Response, status int, code, field string) httpapi.Error {
	t.Helper()
	got := decode[apiError](t, resp, status).Error
	if got.Code != code || got.Field != field || got.Message == "" {
		t.Errorf("error = %+v, want code %q, field %q and a message", got, code, field)
	}
	return got
}

// wait polls job id until it ends.
func (e *env) wait(id string, timeout time.Duration) *jobs.Status {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		st, err := e.client.Status(context.Background(), id)
		if err != nil {
			e.t.Fatalf("Status(%s): %v", id, err)
		}
		if st.Final() {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("job %s did not end in %s", id, timeout)
	return nil
}

// devices returns n distinct device IDs starting with tag, lower-case
// letters and digits.
func devices(tag string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%0*d", tag, 32-len(tag), i) // 32 digits and lower-case letters
	}
	return out
}

// noQuotas turns the simulator's documented quotas off: the tests push
// faster than they allow.
func noQuotas(cfg pushsim.Config) pushsim.Config {
	cfg.NoQuotas = true
	return cfg
}

// newTestServer serves h on an httptest server until the test ends and
// returns its URL.
func newTestServer(t testing.TB, h http.Handler) string {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL
}
