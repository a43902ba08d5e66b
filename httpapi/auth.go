package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// auth checks a request's token: "Authorization: Bearer <token>", or HTTP
// Basic auth with the token as the password (any user name) for browsers.
// With no tokens configured it admits loopback clients only.
type auth struct {
	digests [][sha256.Size]byte
}

func newAuth(tokens []string) *auth {
	a := &auth{}
	for _, t := range tokens {
		a.digests = append(a.digests, sha256.Sum256([]byte(t)))
	}
	return a
}

// open reports whether no tokens are configured.
func (a *auth) open() bool { return len(a.digests) == 0 }

// check returns nil when r may proceed, else the error to answer.
func (a *auth) check(r *http.Request) *Error {
	if a.open() {
		if loopback(r.RemoteAddr) {
			return nil
		}
		return apiErr(CodeForbidden, "",
			"no API tokens are configured (CPUSH_API_TOKENS): only clients on this host are served")
	}
	token, ok := credential(r)
	if !ok || !a.valid(token) {
		return apiErr(CodeUnauthorized, "",
			"a valid token is required: Authorization: Bearer <token>, or HTTP Basic auth with the token as the password")
	}
	return nil
}

// valid compares token with every configured one in constant time: the
// digests have one length, and every one is compared.
func (a *auth) valid(token string) bool {
	d := sha256.Sum256([]byte(token))
	match := 0
	for i := range a.digests {
		match |= subtle.ConstantTimeCompare(d[:], a.digests[i][:])
	}
	return match == 1
}

// credential returns the bearer token, or the Basic auth password.
func credential(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if scheme, token, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(token)
		return token, token != ""
	}
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

// requireAPI answers a request that fails auth with a JSON error and a
// Bearer challenge.
func (a *auth) requireAPI(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e := a.check(r); e != nil {
			if e.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="cpush"`)
			}
			writeError(w, e)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireBrowser answers a request that fails auth with a Basic challenge,
// which makes a browser ask for a user name and password.
func (a *auth) requireBrowser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e := a.check(r); e != nil {
			if e.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Basic realm="cpush: any user name, an API token as the password", charset="UTF-8"`)
			}
			http.Error(w, e.Message, e.Status)
			return
		}
		next.ServeHTTP(w, r)
	})
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
