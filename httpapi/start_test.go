package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/jobs"
)

// TestServer_StartAtBound: a start far ahead kept the job's keys for
// centuries, and further out its TTL overflowed and deleted them after
// the API had answered 202. A start more than the bound (30 days) ahead is
// refused with a field error; one within it is accepted and kept.
func TestServer_StartAtBound(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}})
	tests := []struct {
		name    string
		startAt string
		want    int
	}{
		{"in 2300", "2300-01-01T00:00:00Z", 400},
		{"in 9999, where the TTL overflowed", "9999-12-31T23:59:59Z", 400},
		{"31 days ahead", time.Now().Add(31 * 24 * time.Hour).Format(time.RFC3339), 400},
		{"29 days ahead", time.Now().Add(29 * 24 * time.Hour).Format(time.RFC3339), 202},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.postJSON(job(func(m map[string]any) { m["start_at"] = tt.startAt }))
			if tt.want == 400 {
				wantError(t, resp, http.StatusBadRequest, httpapi.CodeInvalidField, "start_at")
				return
			}
			created := decode[httpapi.Created](t, resp, tt.want)
			st := decode[jobs.Status](t, e.do(http.MethodGet, "/v1/jobs/"+created.ID, "", nil), http.StatusOK)
			if st.Status != jobs.StatusQueued {
				t.Errorf("status = %s, want queued", st.Status)
			}
		})
	}
}
