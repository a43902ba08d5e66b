package faultnet

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// Mode is what a Proxy does with traffic.
type Mode int32

// The modes of a Proxy.
const (
	// Pass forwards both ways.
	Pass Mode = iota
	// Refuse closes the listener, so connecting fails at once
	// (ECONNREFUSED), and resets every connection.
	Refuse
	// Blackhole accepts connections and keeps them open but forwards
	// nothing; leaving it resets them, since their streams are broken.
	Blackhole
	// DropAnswers forwards each request and resets the connection when the
	// server's answer begins, before the client sees any of it: the request
	// was carried out, the client cannot know.
	DropAnswers
)

// String names the mode.
func (m Mode) String() string {
	switch m {
	case Pass:
		return "pass"
	case Refuse:
		return "refuse"
	case Blackhole:
		return "blackhole"
	case DropAnswers:
		return "drop-answers"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// Stats counts what a Proxy did.
type Stats struct {
	Accepted int // connections accepted
	Reset    int // connections reset by a mode change or a dropped answer
	Requests int // requests forwarded to the server
	Dropped  int // answers dropped (DropAnswers)
	Held     int // answers held (Hold)
}

// Proxy forwards TCP connections from a loopback address to an upstream
// address, with faults. It is safe for concurrent use.
type Proxy struct {
	addr     string
	upstream string
	mode     atomic.Int32

	holds atomic.Pointer[[]*Hold] // replaced whole under mu
	stats counters

	mu     sync.Mutex
	ln     net.Listener // nil while refusing or closed
	conns  map[*conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// counters are the running Stats.
type counters struct {
	accepted, reset, requests, dropped, held atomic.Int64
}

// New starts a proxy to upstream (host:port) on a free loopback port below
// the ephemeral range (see FreePort), in Pass mode.
func New(upstream string) (*Proxy, error) {
	p := &Proxy{upstream: upstream, conns: map[*conn]struct{}{}}
	var err error
	for range 10 {
		var port int
		if port, err = freePort(); err != nil {
			return nil, err
		}
		p.addr = "127.0.0.1:" + strconv.Itoa(port)
		if err = p.listen(); err == nil {
			return p, nil
		}
	}
	return nil, err
}

// Start starts a proxy to upstream that is closed when t ends.
func Start(t testing.TB, upstream string) *Proxy {
	t.Helper()
	p, err := New(upstream)
	if err != nil {
		t.Fatalf("faultnet: proxy to %s: %v", upstream, err)
	}
	t.Cleanup(p.Close)
	return p
}

// Addr is the proxy's address, host:port.
func (p *Proxy) Addr() string { return p.addr }

// Upstream is the address the proxy forwards to.
func (p *Proxy) Upstream() string { return p.upstream }

// Mode is the mode in force.
func (p *Proxy) Mode() Mode { return Mode(p.mode.Load()) }

// Stats returns the proxy's counts so far.
func (p *Proxy) Stats() Stats {
	c := &p.stats
	return Stats{Accepted: int(c.accepted.Load()), Reset: int(c.reset.Load()), Requests: int(c.requests.Load()),
		Dropped: int(c.dropped.Load()), Held: int(c.held.Load())}
}

// Set changes the mode. Leaving Refuse listens again on the same address;
// its error is Set's. Entering Refuse, or leaving Blackhole, resets the
// connections the proxy has.
func (p *Proxy) Set(m Mode) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("faultnet: proxy closed")
	}
	old := Mode(p.mode.Swap(int32(m)))
	if old == m {
		return nil
	}
	if m == Blackhole {
		for c := range p.conns {
			c.breakStream()
		}
	}
	if m == Refuse || old == Blackhole {
		p.resetAllLocked()
	}
	if m == Refuse && p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	if old == Refuse {
		return p.listenLocked()
	}
	return nil
}

// Close stops the proxy and resets its connections.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.resetAllLocked()
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) listen() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.listenLocked()
}

// listenLocked opens the listener and serves it; p.mu must be held.
func (p *Proxy) listenLocked() error {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		return fmt.Errorf("faultnet: listening on %s: %w", p.addr, err)
	}
	p.ln = ln
	p.wg.Add(1)
	go p.serve(ln)
	return nil
}

func (p *Proxy) serve(ln net.Listener) {
	defer p.wg.Done()
	for {
		client, err := ln.Accept()
		if err != nil {
			return // closed by Set(Refuse) or Close
		}
		p.wg.Add(1)
		go p.handle(client)
	}
}

// handle connects client to the upstream and forwards until either side
// ends, as the mode says.
func (p *Proxy) handle(client net.Conn) {
	defer p.wg.Done()
	c := &conn{p: p, client: client, phase: phaseIdle}
	if !p.track(c) {
		resetConn(client)
		return
	}
	defer p.untrack(c)
	if p.Mode() == Blackhole {
		c.breakStream()
		c.discard(client)
		return
	}
	server, err := net.Dial("tcp", p.upstream)
	if err != nil {
		c.reset() // as a server that went away would
		return
	}
	if !c.setServer(server) {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.pumpAnswers()
	}()
	c.pumpRequests()
	<-done
}

// track registers c, unless the proxy is closed or refusing: a connection
// the listener accepted just before Set(Refuse) closed it would otherwise
// be registered after Set reset the others, and carry traffic through the
// outage.
func (p *Proxy) track(c *conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.Mode() == Refuse {
		return false
	}
	p.conns[c] = struct{}{}
	p.stats.accepted.Add(1)
	return true
}

func (p *Proxy) untrack(c *conn) {
	c.closeBoth()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	for _, h := range p.holdList() {
		h.forget(c)
	}
}

// resetAllLocked resets every connection; p.mu must be held.
func (p *Proxy) resetAllLocked() {
	for c := range p.conns {
		c.reset()
	}
}

// holdList is the holds in force.
func (p *Proxy) holdList() []*Hold {
	if l := p.holds.Load(); l != nil {
		return *l
	}
	return nil
}

// holdFor returns the first hold in force whose match is in line, if any.
func (p *Proxy) holdFor(line string) *Hold {
	for _, h := range p.holdList() {
		if h.matches(line) {
			return h
		}
	}
	return nil
}
