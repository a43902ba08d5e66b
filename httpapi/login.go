package httpapi

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Failed logins per client address: LoginBurst at once, then one per
// LoginRefill. A client past them is answered 429 until it has waited,
// whatever token it sends.
const (
	LoginBurst  = 10
	LoginRefill = 6 * time.Second
)

// maxLoginAddrs bounds the addresses a loginLimiter remembers.
const maxLoginAddrs = 10_000

// loginLimiter counts failed logins per client address (an IPv6 client
// by its /64) to slow down token guessing. Behind a proxy every client
// has the proxy's address: they share one allowance.
type loginLimiter struct {
	mu    sync.Mutex
	addrs map[netip.Prefix]*rate.Limiter
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{addrs: map[netip.Prefix]*rate.Limiter{}}
}

// wait returns how long the client of r must wait before it may try to
// log in again; 0 when it may now.
func (l *loginLimiter) wait(r *http.Request) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.addrs[clientPrefix(r)]
	if !ok {
		return 0
	}
	if tokens := lim.Tokens(); tokens < 1 {
		return time.Duration(math.Ceil((1 - tokens) * float64(LoginRefill)))
	}
	return 0
}

// failed records a failed login of r's client.
func (l *loginLimiter) failed(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := clientPrefix(r)
	lim, ok := l.addrs[p]
	if !ok {
		l.sweep()
		lim = rate.NewLimiter(rate.Every(LoginRefill), LoginBurst)
		l.addrs[p] = lim
	}
	lim.Allow()
}

// sweep forgets the addresses that have their whole allowance back, and
// every address when there are still too many (a guess from each of many
// addresses is not slowed down by this limiter: the tokens' length is
// what stops it).
func (l *loginLimiter) sweep() {
	if len(l.addrs) < maxLoginAddrs {
		return
	}
	for p, lim := range l.addrs {
		if lim.Tokens() >= LoginBurst {
			delete(l.addrs, p)
		}
	}
	if len(l.addrs) >= maxLoginAddrs {
		clear(l.addrs)
	}
}

// clientPrefix is the client address of r: its IPv4 address, or the /64
// of its IPv6 one.
func clientPrefix(r *http.Request) netip.Prefix {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Prefix{}
	}
	addr = addr.Unmap().WithZone("")
	bits := 32
	if addr.Is6() {
		bits = 64
	}
	p, _ := addr.Prefix(bits)
	return p
}

// retryAfter sets the Retry-After header to d in whole seconds, at least 1.
func retryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(d.Seconds())))))
}
