package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/cpush/cpush/httpapi"
)

func TestServer_Auth(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{"tok-a-0123456789", "tok-b-0123456789"}}})
	tests := []struct {
		name       string
		path       string
		auth       func(r *http.Request)
		wantStatus int
		wantScheme string // the WWW-Authenticate challenge's scheme, when 401
	}{
		{"api: no token", "/v1/jobs", func(r *http.Request) {}, 401, "Bearer"},
		{"api: wrong token", "/v1/jobs", bearer("tok-c-0123456789"), 401, "Bearer"},
		{"api: prefix of a token", "/v1/jobs", bearer("tok-a"), 401, "Bearer"},
		{"api: empty bearer", "/v1/jobs", bearer(""), 401, "Bearer"},
		{"api: first token", "/v1/jobs", bearer("tok-a-0123456789"), 200, ""},
		{"api: second token", "/v1/jobs", bearer("tok-b-0123456789"), 200, ""},
		{"api: lower-case scheme", "/v1/jobs", func(r *http.Request) { r.Header.Set("Authorization", "bearer tok-a-0123456789") }, 200, ""},
		{"api: basic password", "/v1/jobs", basic("anyone", "tok-b-0123456789"), 401, "Bearer"},
		{"api: token as basic user", "/v1/jobs", basic("tok-a-0123456789", ""), 401, "Bearer"},
		{"api: unknown path needs a token too", "/v1/nope", func(r *http.Request) {}, 401, "Bearer"},
		{"page: no token", "/jobs", func(r *http.Request) {}, 401, "Basic"},
		{"page: wrong password", "/jobs", basic("ops", "nope"), 401, "Basic"},
		{"page: basic password", "/jobs", basic("ops", "tok-a-0123456789"), 200, ""},
		{"page: bearer", "/jobs", bearer("tok-b-0123456789"), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, e.url+tt.path, nil)
			tt.auth(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.wantStatus)
			}
			got := resp.Header.Get("WWW-Authenticate")
			if tt.wantScheme != "" && (len(got) < len(tt.wantScheme) || got[:len(tt.wantScheme)] != tt.wantScheme) {
				t.Errorf("WWW-Authenticate = %q, want a %s challenge", got, tt.wantScheme)
			}
			if tt.wantStatus == 401 && tt.path == "/v1/jobs" {
				wantError(t, resp, 401, httpapi.CodeUnauthorized, "")
			}
		})
	}
}

func bearer(token string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func basic(user, password string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, password) }
}

// TestServer_AuthNoTokens: with no tokens only loopback clients are
// served, and only under a loopback host name: a page whose name was
// rebound to 127.0.0.1 (DNS rebinding) is refused, as is a request that
// came through a proxy.
func TestServer_AuthNoTokens(t *testing.T) {
	e := setup(t, options{})
	tests := []struct {
		name       string
		remote     string
		host       string
		path       string
		header     string // "Name: value" to add
		wantStatus int
	}{
		{"api from IPv4 loopback", "127.0.0.1:50000", "127.0.0.1:8080", "/v1/jobs", "", 200},
		{"api from IPv6 loopback", "[::1]:50000", "[::1]:8080", "/v1/jobs", "", 200},
		{"api as localhost", "127.0.0.1:50000", "localhost:8080", "/v1/jobs", "", 200},
		{"api as localhost without a port", "127.0.0.1:50000", "localhost", "/v1/jobs", "", 200},
		{"api from another host", "192.0.2.10:50000", "127.0.0.1:8080", "/v1/jobs", "", 403},
		{"page from another host", "192.0.2.10:50000", "127.0.0.1:8080", "/jobs", "", 403},
		{"ui from another host", "192.0.2.10:50000", "127.0.0.1:8080", "/ui/", "", 403},
		{"ui from loopback", "127.0.0.1:50000", "127.0.0.1:8080", "/ui/", "", 200},
		{"api under a rebound name", "127.0.0.1:50000", "rebind.evil.example:8080", "/v1/jobs", "", 403},
		{"failed targets under a rebound name", "127.0.0.1:50000", "rebind.evil.example:8080", "/v1/jobs/x/failed", "", 403},
		{"page under a rebound name", "127.0.0.1:50000", "rebind.evil.example", "/jobs", "", 403},
		{"ui under a rebound name", "127.0.0.1:50000", "rebind.evil.example:8080", "/ui/", "", 403},
		{"api under another loopback address", "127.0.0.1:50000", "127.0.0.2:8080", "/v1/jobs", "", 403},
		{"api under a subdomain of localhost", "127.0.0.1:50000", "evil.localhost:8080", "/v1/jobs", "", 403},
		{"api through a proxy (X-Forwarded-For)", "127.0.0.1:50000", "127.0.0.1:8080", "/v1/jobs", "X-Forwarded-For: 203.0.113.9", 403},
		{"ui through a proxy (Forwarded)", "127.0.0.1:50000", "127.0.0.1:8080", "/ui/", "Forwarded: for=203.0.113.9", 403},
	}
	mux := http.NewServeMux()
	mux.Handle("/", e.srv.Handler())
	mux.Handle("/ui/", e.srv.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.path, nil) // served in process: no traffic leaves
			req.RemoteAddr = tt.remote
			req.Host = tt.host
			if name, value, ok := strings.Cut(tt.header, ": "); ok {
				req.Header.Set(name, value)
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Errorf("GET %s from %s as %s = %d %s, want %d", tt.path, tt.remote, tt.host, rec.Code, rec.Body, tt.wantStatus)
			}
			if tt.header != "" && !strings.Contains(rec.Body.String(), "CPUSH_API_TOKENS") {
				t.Errorf("answer %q does not say that tokens are required behind a proxy", rec.Body)
			}
		})
	}
	if !e.srv.Open() {
		t.Errorf("Open() = false with no tokens, want true")
	}
}

// TestServer_LoginRateLimit guesses tokens from one address: after
// httpapi.LoginBurst failed logins that address is answered 429 with
// Retry-After, its right token included, while other addresses go on.
func TestServer_LoginRateLimit(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}})
	mux := http.NewServeMux()
	mux.Handle("/", e.srv.Handler())
	mux.Handle("/ui/", e.srv.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	get := func(path, remote string, auth func(*http.Request)) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = remote
		auth(req)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}
	const attacker = "198.51.100.7:40000"
	for i := range httpapi.LoginBurst {
		path, auth := "/v1/jobs", bearer(fmt.Sprintf("guess-%d", i))
		if i%2 == 1 {
			path, auth = "/ui/", basic("admin", fmt.Sprintf("guess-%d", i))
		}
		if rec := get(path, attacker, auth); rec.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d = %d, want 401", i+1, rec.Code)
		}
	}
	tests := []struct {
		name       string
		path       string
		remote     string
		auth       func(*http.Request)
		wantStatus int
	}{
		{"another guess", "/v1/jobs", attacker, bearer("guess-x"), 429},
		{"another guess on the UI", "/ui/", "198.51.100.7:40001", basic("admin", "guess-y"), 429},
		{"the right token from that address", "/v1/jobs", attacker, bearer(token), 429},
		{"the right token from another address", "/v1/jobs", "198.51.100.8:40000", bearer(token), 200},
		{"a wrong token from another address", "/v1/jobs", "198.51.100.8:40000", bearer("nope"), 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(tt.path, tt.remote, tt.auth)
			if rec.Code != tt.wantStatus {
				t.Fatalf("GET %s from %s = %d %s, want %d", tt.path, tt.remote, rec.Code, rec.Body, tt.wantStatus)
			}
			if tt.wantStatus == 429 {
				if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 {
					t.Errorf("Retry-After = %q, want a number of seconds", rec.Header().Get("Retry-After"))
				}
			}
		})
	}
}
