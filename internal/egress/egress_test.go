package egress_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/egress"
)

func TestPublic(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"8.8.8.8", true},
		{"47.96.0.1", true},
		{"2400:3200::1", true},
		{"127.0.0.1", false},
		{"127.8.9.10", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"::1", false},
		{"::", false},
		{"10.0.0.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"172.32.0.1", true},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // AWS, GCP and Azure metadata
		{"100.100.100.200", false}, // Alibaba Cloud metadata
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		{"100.128.0.1", true},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"ff02::1", false},
		{"224.0.0.1", false},
		{"255.255.255.255", false},
		{"198.18.0.1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"::ffff:8.8.8.8", true},
		{"::127.0.0.1", false},
		{"64:ff9b::a9fe:a9fe", false}, // NAT64 of 169.254.169.254
		{"64:ff9b::808:808", true},    // NAT64 of 8.8.8.8
		{"2002:a00:1::1", false},      // 6to4 of 10.0.0.1
		{"2001:db8::1", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := egress.Public(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("Public(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
}

func TestPolicy_CheckURL(t *testing.T) {
	p, err := egress.NewPolicy([]string{"10.20.0.0/16", "fd00::5", "hooks.internal", "*.svc.cluster.local"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url  string
		want bool // allowed
	}{
		{"https://hooks.example.com/cpush", true},
		{"https://8.8.8.8/x", true},
		{"http://127.0.0.1:9000/", false},
		{"http://0.0.0.0/", false},
		{"http://[::1]:8080/", false},
		{"http://[::ffff:127.0.0.1]/", false},
		{"http://[fe80::1%25eth0]/", false},
		{"http://10.0.0.1/", false},
		{"http://172.16.5.4/", false},
		{"http://192.168.0.10/", false},
		{"http://169.254.169.254/latest/meta-data/", false},
		{"http://100.100.100.200/latest/meta-data/", false},
		{"http://localhost:8080/", false},
		{"http://LOCALHOST./", false},
		{"http://admin.localhost/", false},
		{"http://2130706433/", false},
		{"http://0x7f000001/", false},
		{"http://127.1/", false},
		{"http://10.20.3.4/", true},           // allowed CIDR
		{"http://[fd00::5]/", true},           // allowed address
		{"http://hooks.internal:8080/", true}, // allowed name
		{"http://a.svc.cluster.local/", true}, // allowed domain
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := p.CheckURL(tt.url)
			if tt.want && err != nil || !tt.want && !errors.Is(err, egress.ErrNotPublic) {
				t.Errorf("CheckURL(%s) = %v, want allowed %v", tt.url, err, tt.want)
			}
		})
	}
}

func TestNewPolicy_Errors(t *testing.T) {
	for _, bad := range []string{"", "10.0.0.0/33", "http://x", "a b", "*.", "1.2.3"} {
		if _, err := egress.NewPolicy([]string{bad}); err == nil {
			t.Errorf("NewPolicy(%q) = nil error, want one", bad)
		}
	}
}

// TestPolicy_DialContext dials a loopback listener by name: the check
// runs on the address the name resolves to, so a name of any site that
// resolves to a private address is refused as its address would be.
func TestPolicy_DialContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	tests := []struct {
		name  string
		allow []string
		addr  string
		want  bool
	}{
		{"a name that resolves to loopback", nil, "localhost:" + port, false},
		{"a loopback address", nil, "127.0.0.1:" + port, false},
		{"allowed by CIDR", []string{"127.0.0.0/8"}, "localhost:" + port, true},
		{"allowed by name", []string{"localhost"}, "localhost:" + port, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := egress.NewPolicy(tt.allow)
			if err != nil {
				t.Fatal(err)
			}
			dial := p.DialContext(&net.Dialer{Timeout: 2 * time.Second})
			c, err := dial(context.Background(), "tcp", tt.addr)
			if c != nil {
				c.Close()
			}
			if tt.want && err != nil || !tt.want && !errors.Is(err, egress.ErrNotPublic) {
				t.Errorf("dial %s = %v, want allowed %v", tt.addr, err, tt.want)
			}
		})
	}
}
