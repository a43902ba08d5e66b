package faultnet

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// lowestPort is the first port FreePort picks from.
const lowestPort = 20000

var (
	portsMu sync.Mutex
	given   = map[int]bool{}
)

// FreePort returns a free loopback TCP port below the kernel's ephemeral
// range, never the same twice in a process. A server that a test stops and
// starts again on its port (a restarted Redis, a proxy that refuses and
// then listens again) needs one: outgoing connections take their local
// ports from the ephemeral range, and one of them could hold a port from
// there while the server is down.
func FreePort(t testing.TB) int {
	t.Helper()
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// FreeAddr is FreePort's port as a loopback address, for a server that a
// test starts later in a process of its own: between the test's choice and
// the server's bind, an outgoing connection may take a free port of the
// ephemeral range as its local port (CI saw "address already in use" so),
// never one below it.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(t)))
}

func freePort() (int, error) {
	top := ephemeralLow() - 1
	if top <= lowestPort {
		return 0, fmt.Errorf("faultnet: no ports below the ephemeral range (it starts at %d)", top+1)
	}
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 100 {
		p := lowestPort + rand.N(top-lowestPort)
		if given[p] {
			continue
		}
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue
		}
		ln.Close()
		given[p] = true
		return p, nil
	}
	return 0, fmt.Errorf("faultnet: no free port found in %d..%d", lowestPort, top)
}

// ephemeralLow is the first port of the kernel's ephemeral range (32768
// where it cannot be read).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 32768
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return 32768
	}
	return n
}
