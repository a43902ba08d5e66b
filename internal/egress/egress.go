// Package egress decides where cpush's outgoing requests to addresses that
// producers name (completion webhooks) may go: public addresses, and the
// CIDRs and host names of an explicit allowlist. Anything else (loopback,
// private networks, link-local, the cloud metadata services at
// 169.254.169.254 and 100.100.100.200, ...) is refused, at the request's
// creation when the URL names it literally, and at dial time, after DNS
// resolution, always.
package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// ErrNotPublic is the error of a refused address; test with errors.Is.
var ErrNotPublic = errors.New("not a public address")

// Policy says which addresses an outgoing connection may reach. The zero
// Policy allows public addresses only. It is safe for concurrent use.
type Policy struct {
	prefixes []netip.Prefix
	hosts    map[string]bool // lower case, no trailing dot
	suffixes []string        // of "*.name" entries: ".name"
}

// NewPolicy returns a Policy that also allows the entries of allow: a CIDR
// (10.0.0.0/8), an address (10.1.2.3, fd00::1), a host name
// (hooks.internal) or every name under a domain (*.svc.cluster.local). A
// host name allowed is dialed whatever it resolves to.
func NewPolicy(allow []string) (*Policy, error) {
	p := &Policy{hosts: map[string]bool{}}
	for _, raw := range allow {
		if err := p.add(strings.TrimSpace(raw)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *Policy) add(e string) error {
	if pfx, err := netip.ParsePrefix(e); err == nil {
		p.prefixes = append(p.prefixes, pfx.Masked())
		return nil
	}
	if a, err := netip.ParseAddr(e); err == nil {
		p.prefixes = append(p.prefixes, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		return nil
	}
	name := normalHost(e)
	if rest, ok := strings.CutPrefix(name, "*."); ok && validName(rest) {
		p.suffixes = append(p.suffixes, "."+rest)
		return nil
	}
	if !validName(name) || numeric(name) {
		return fmt.Errorf("%q is neither a CIDR, an address, a host name nor *.domain", e)
	}
	p.hosts[name] = true
	return nil
}

// allowsHost reports whether host is a name of the allowlist.
func (p *Policy) allowsHost(host string) bool {
	host = normalHost(host)
	if p.hosts[host] {
		return true
	}
	for _, s := range p.suffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// allowsAddr reports whether a may be dialed: public, or allowed.
func (p *Policy) allowsAddr(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	if Public(a) {
		return true
	}
	for _, pfx := range p.prefixes {
		if pfx.Contains(a) {
			return true
		}
	}
	return false
}

// CheckURL refuses a URL whose host names a refused address literally: an
// address that is not public nor allowed, localhost or a name under
// .localhost, or a number that resolvers read as an address (2130706433,
// 0x7f.1). Other names are checked when they are dialed.
func (p *Policy) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if p.allowsHost(host) {
		return nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !p.allowsAddr(a) {
			return fmt.Errorf("%s: %w", host, ErrNotPublic)
		}
		return nil
	}
	name := normalHost(host)
	switch {
	case name == "localhost" || strings.HasSuffix(name, ".localhost"):
		return fmt.Errorf("%s names this host: %w", host, ErrNotPublic)
	case numeric(name):
		return fmt.Errorf("%s reads as an address in a form that is not canonical: %w", host, ErrNotPublic)
	}
	return nil
}

// DialContext returns d's DialContext that refuses an address the Policy
// does not allow, after DNS resolution: each address the dialer tries is
// checked before it connects. A host name of the allowlist is dialed as
// it is.
func (p *Policy) DialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	guarded := *d
	guarded.Control = p.control
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err == nil && p.allowsHost(host) {
			return d.DialContext(ctx, network, addr)
		}
		return guarded.DialContext(ctx, network, addr)
	}
}

// control is a net.Dialer's Control: address is the resolved ip:port.
func (p *Policy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dialing %s: %w", address, ErrNotPublic)
	}
	if !p.allowsAddr(ap.Addr()) {
		return fmt.Errorf("%s: %w (allow it with CPUSH_WEBHOOK_ALLOW)", ap.Addr(), ErrNotPublic)
	}
	return nil
}

// normalHost is a host name in lower case without a trailing dot or the
// brackets of an IPv6 literal.
func normalHost(h string) string {
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// validName reports whether name is made of DNS labels.
func validName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// numeric reports whether a name's last label is a number, decimal or
// hex: no top-level domain is, and inet_aton reads such names as
// addresses (127.1, 2130706433, 0x7f000001).
func numeric(name string) bool {
	last := name[strings.LastIndexByte(name, '.')+1:]
	if last == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(last, "0x"); ok {
		last = rest
		return strings.Trim(last, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}
