package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/jobs"
)

// TestServer_ProducerTokens: a producer token creates jobs and reads,
// lists, cancels and exports its own only; another producer's job is not
// found, as if it did not exist; the job page and the UI are for admin
// tokens. The job records a hash of the token, never the token.
func TestServer_ProducerTokens(t *testing.T) {
	const admin, prodA, prodB = "admin-token-0123456789abcdef0123", "producer-a-0123456789abcdef01234", "producer-b-0123456789abcdef01234"
	e := setup(t, options{api: httpapi.Options{Tokens: []string{admin}, ProducerTokens: []string{prodA, prodB}}})
	mux := http.NewServeMux()
	mux.Handle("/", e.srv.Handler())
	mux.Handle("/ui/", e.srv.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	srv := newTestServer(t, mux)
	as := func(tok string) *env { c := *e; c.token = tok; c.url = srv; return &c }
	a, b, root := as(prodA), as(prodB), as(admin)
	decode[httpapi.Created](t, a.postJSON(job(func(m map[string]any) { m["id"] = "a-json" })), http.StatusAccepted)
	decode[httpapi.Created](t, a.postStream(`{"id":"a-stream","app_key":23267207,"target":"DEVICE","message":{"title":"t","body":"b"}}`, devices("a", 3)...), http.StatusAccepted)
	decode[httpapi.Created](t, b.postJSON(job(func(m map[string]any) { m["id"] = "b-json" })), http.StatusAccepted)

	tests := []struct {
		name       string
		as         *env
		method     string
		path       string
		wantStatus int
	}{
		{"another producer reads the job", b, http.MethodGet, "/v1/jobs/a-json", 404},
		{"another producer exports its failed targets", b, http.MethodGet, "/v1/jobs/a-json/failed", 404},
		{"another producer cancels it", b, http.MethodDelete, "/v1/jobs/a-stream", 404},
		{"the producer reads its job", a, http.MethodGet, "/v1/jobs/a-stream", 200},
		{"the producer exports its failed targets", a, http.MethodGet, "/v1/jobs/a-json/failed", 200},
		{"the admin reads any job", root, http.MethodGet, "/v1/jobs/a-json", 200},
		{"the producer cancels its job", a, http.MethodDelete, "/v1/jobs/a-json", 202},
		{"a producer on the job page", a, http.MethodGet, "/jobs", 403},
		{"a producer on the UI", a, http.MethodGet, "/ui/", 403},
		{"the admin on the job page", root, http.MethodGet, "/jobs", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := tt.as.do(tt.method, tt.path, "", nil)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus == 404 {
				wantError(t, resp, 404, httpapi.CodeNotFound, "")
			}
		})
	}
	t.Run("a producer does not cancel another's job", func(t *testing.T) {
		st, err := e.client.Status(context.Background(), "a-stream")
		if err != nil || st.CancelRequested {
			t.Errorf("a-stream: %+v, %v; want it not cancelled", st, err)
		}
	})
	listed := func(as *env) []string {
		var ids []string
		for _, st := range decode[jobs.Page](t, as.do(http.MethodGet, "/v1/jobs", "", nil), http.StatusOK).Jobs {
			ids = append(ids, st.ID)
		}
		slices.Sort(ids)
		return ids
	}
	for _, tt := range []struct {
		name string
		as   *env
		want []string
	}{
		{"producer a lists its own", a, []string{"a-json", "a-stream"}},
		{"producer b lists its own", b, []string{"b-json"}},
		{"the admin lists all", root, []string{"a-json", "a-stream", "b-json"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := listed(tt.as); !slices.Equal(got, tt.want) {
				t.Errorf("listed %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("the job records a hash of the token, not the token", func(t *testing.T) {
		meta := e.rdb.HGetAll(context.Background(), store.Keys{Prefix: e.prefix}.Meta("a-json")).Val()
		owner := meta[store.FieldOwner]
		if owner == "" {
			t.Fatalf("meta %v has no %s", meta, store.FieldOwner)
		}
		for k, v := range meta {
			if strings.Contains(v, prodA) || strings.Contains(k, prodA) {
				t.Errorf("meta field %s holds the token", k)
			}
		}
	})
}
