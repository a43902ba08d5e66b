package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"time"
)

// auth checks a request's token. The API (/v1/) takes "Authorization:
// Bearer <token>" only: a browser never adds that header by itself, so a
// page on another site cannot make it send one. Browser pages (/jobs, the
// UI) also take HTTP Basic auth with the token as the password, and refuse
// every cross-site request that could change state. With no tokens
// configured it admits loopback clients only, under a loopback host name.
//
// Admin tokens may do everything; producer tokens may use the API only,
// on the jobs they created.
type auth struct {
	admins, producers [][sha256.Size]byte
	metrics           [][sha256.Size]byte // the metrics token, if any
	logins            *loginLimiter
}

func newAuth(admins, producers []string, metrics string) *auth {
	a := &auth{logins: newLoginLimiter()}
	if metrics != "" {
		a.metrics = append(a.metrics, sha256.Sum256([]byte(metrics)))
	}
	for _, t := range admins {
		a.admins = append(a.admins, sha256.Sum256([]byte(t)))
	}
	for _, t := range producers {
		a.producers = append(a.producers, sha256.Sum256([]byte(t)))
	}
	return a
}

// open reports whether no tokens are configured.
func (a *auth) open() bool { return len(a.admins) == 0 && len(a.producers) == 0 }

// principal is who a request comes from.
type principal struct {
	admin bool   // an admin token, or token-less mode: every job
	owner string // the token's ID (ownerID), recorded with the jobs it creates
}

// sees reports whether p may read and cancel a job of owner.
func (p principal) sees(owner string) bool { return p.admin || owner == p.owner }

type principalKey struct{}

// who returns the principal that auth put in r's context.
func who(r *http.Request) principal {
	p, _ := r.Context().Value(principalKey{}).(principal)
	return p
}

// ownerID names a token in the jobs it creates: a prefix of its SHA-256,
// never the token.
func ownerID(digest [sha256.Size]byte) string { return "tok:" + hex.EncodeToString(digest[:12]) }

// check returns who r comes from, or the error to answer. browser allows
// Basic auth besides a bearer token, and admits admin tokens only. A
// client past its failed logins (loginLimiter) is answered 429 with
// Retry-After set on w.
func (a *auth) check(w http.ResponseWriter, r *http.Request, browser bool) (principal, *Error) {
	if a.open() {
		return principal{admin: true}, checkLocal(r)
	}
	if d := a.logins.wait(r); d > 0 {
		retryAfter(w, d)
		return principal{}, apiErr(CodeTooManyRequests, "", "too many failed logins from this address: try again in %s", d.Round(time.Second))
	}
	token, ok := bearer(r)
	if !ok && browser {
		token, ok = basicPassword(r)
	}
	d := sha256.Sum256([]byte(token))
	admin, producer := matches(d, a.admins), matches(d, a.producers)
	switch {
	case !ok || (!admin && !producer):
		if ok {
			a.logins.failed(r)
		}
		if browser {
			return principal{}, apiErr(CodeUnauthorized, "",
				"a valid token is required: HTTP Basic auth with the token as the password, or Authorization: Bearer <token>")
		}
		return principal{}, apiErr(CodeUnauthorized, "", "a valid token is required: Authorization: Bearer <token>")
	case browser && !admin:
		return principal{}, apiErr(CodeForbidden, "", "a producer token (CPUSH_PRODUCER_TOKENS) may use the API under /v1/ only")
	}
	return principal{admin: admin, owner: ownerID(d)}, nil
}

// checkLocal admits a request in token-less mode: from this host, under a
// loopback host name (a page whose name was rebound to 127.0.0.1 sends its
// own), and not through a proxy (which would make every client local).
func checkLocal(r *http.Request) *Error {
	switch {
	case r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "":
		return apiErr(CodeForbidden, "",
			"this request came through a proxy, but no API tokens are configured: behind a proxy tokens are required (CPUSH_API_TOKENS)")
	case !loopback(r.RemoteAddr):
		return apiErr(CodeForbidden, "",
			"no API tokens are configured (CPUSH_API_TOKENS): only clients on this host are served")
	case !localHost(r.Host):
		return apiErr(CodeForbidden, "",
			"no API tokens are configured (CPUSH_API_TOKENS): only the host names localhost, 127.0.0.1 and [::1] are served, not %q", r.Host)
	}
	return nil
}

// matches compares a token's digest with every digest of set in constant
// time: the digests have one length, and every one is compared.
func matches(d [sha256.Size]byte, set [][sha256.Size]byte) bool {
	match := 0
	for i := range set {
		match |= subtle.ConstantTimeCompare(d[:], set[i][:])
	}
	return match == 1
}

// bearer returns the bearer token of r.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if scheme, token, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(token)
		return token, token != ""
	}
	return "", false
}

// basicPassword returns the password of r's Basic auth.
func basicPassword(r *http.Request) (string, bool) {
	_, pw, ok := r.BasicAuth()
	return pw, ok && pw != ""
}

// loopback reports whether a remote address is on this host.
func loopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// localHost reports whether a Host header names this machine the way a
// browser on it does: localhost, 127.0.0.1 or [::1], with or without a
// port.
func localHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	} else {
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	switch strings.ToLower(host) {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

// crossOrigin refuses a state-changing request (any method but GET, HEAD
// and OPTIONS) that a browser sent from another origin: Sec-Fetch-Site is
// neither same-origin nor none, or, from a browser without it, Origin
// names another host. A client that sends neither header is not a browser
// and passes.
func crossOrigin(next, deny http.Handler) http.Handler {
	c := http.NewCrossOriginProtection()
	c.SetDenyHandler(deny)
	return c.Handler(next)
}

const crossOriginMessage = "cross-site request refused: a state-changing request must come from this origin, or from a client that is not a browser"

// requireAPI refuses a cross-site request, then answers a request that
// fails auth with a JSON error and a Bearer challenge.
func (a *auth) requireAPI(next http.Handler) http.Handler {
	checked := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, e := a.check(w, r, false)
		if e != nil {
			if e.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="cpush"`)
			}
			writeError(w, e)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
	return crossOrigin(checked, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, apiErr(CodeForbidden, "", crossOriginMessage))
	}))
}

// requireBrowser refuses a cross-site request, then answers a request that
// fails auth with a Basic challenge, which makes a browser ask for a user
// name and password.
func (a *auth) requireBrowser(next http.Handler) http.Handler {
	checked := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noFraming(w)
		if _, e := a.check(w, r, true); e != nil {
			if e.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Basic realm="cpush: any user name, an API token as the password", charset="UTF-8"`)
			}
			http.Error(w, e.Message, e.Status)
			return
		}
		next.ServeHTTP(w, r)
	})
	return crossOrigin(checked, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noFraming(w)
		http.Error(w, crossOriginMessage, http.StatusForbidden)
	}))
}

// requireMetrics answers a request without the metrics token (a bearer
// token) 401, when one is configured.
func (a *auth) requireMetrics(next http.Handler) http.Handler {
	if len(a.metrics) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := a.logins.wait(r); d > 0 {
			retryAfter(w, d)
			http.Error(w, "too many failed logins from this address", http.StatusTooManyRequests)
			return
		}
		token, ok := bearer(r)
		if !ok || !matches(sha256.Sum256([]byte(token)), a.metrics) {
			if ok {
				a.logins.failed(r)
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="cpush metrics"`)
			http.Error(w, "the metrics token is required: Authorization: Bearer <CPUSH_METRICS_TOKEN>", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// frameAncestors is the CSP directive that forbids framing a page.
const frameAncestors = "frame-ancestors 'none'"

// noFraming forbids other sites to frame a browser page (clickjacking):
// X-Frame-Options for old browsers, CSP frame-ancestors for the rest. A
// page that sets its own policy keeps the directive in it.
func noFraming(w http.ResponseWriter) {
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", frameAncestors)
}

// IsLoopbackHost reports whether host (of a host:port) names only this
// machine: a loopback IP or "localhost".
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
