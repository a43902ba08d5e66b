package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cpush/cpush/httpapi"
)

// TestServer_NoFraming: a page on another site that frames /jobs or the UI
// could trick an operator into clicking its buttons (clickjacking). Both
// forbid framing, with X-Frame-Options for old browsers and CSP
// frame-ancestors for the rest, on every answer.
func TestServer_NoFraming(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}})
	mux := http.NewServeMux()
	mux.Handle("/", e.srv.Handler())
	mux.Handle("/ui/", e.srv.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>queues</html>"))
	})))
	srv := newTestServer(t, mux)
	tests := []struct {
		name, path string
		auth       func(*http.Request)
		wantStatus int
	}{
		{"job page", "/jobs", basic("ops", token), 200},
		{"ui", "/ui/", basic("ops", token), 200},
		{"ui login challenge", "/ui/", func(*http.Request) {}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv+tt.path, nil)
			tt.auth(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("X-Frame-Options"); got != "DENY" {
				t.Errorf("X-Frame-Options = %q, want DENY", got)
			}
			if got := resp.Header.Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy = %q, want frame-ancestors 'none'", got)
			}
		})
	}
}
