package faultnet

import (
	"strings"
	"sync"
)

// Hold holds the answers to the requests whose first line contains its
// match, from Proxy.Hold until Release: the server carried each request
// out, and its client waits. Kill the client meanwhile and it never hears.
type Hold struct {
	p     *Proxy
	match string
	lines chan string

	mu       sync.Mutex
	conns    map[*conn]bool
	count    int
	released bool
}

// Hold starts holding the answers to requests whose first line contains
// match (e.g. "Action=ContinuouslyPush"; "" matches every request).
func (p *Proxy) Hold(match string) *Hold {
	h := &Hold{p: p, match: match, lines: make(chan string, 4096), conns: map[*conn]bool{}}
	p.mu.Lock()
	defer p.mu.Unlock()
	holds := append(append([]*Hold(nil), p.holdList()...), h)
	p.holds.Store(&holds)
	return h
}

// Held receives the first line of each request as its answer is held.
func (h *Hold) Held() <-chan string { return h.lines }

// Count is the number of answers held so far.
func (h *Hold) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count
}

// Release forwards the held answers to the clients still connected and
// holds no more.
func (h *Hold) Release() {
	h.p.mu.Lock()
	var keep []*Hold
	for _, o := range h.p.holdList() {
		if o != h {
			keep = append(keep, o)
		}
	}
	h.p.holds.Store(&keep)
	h.p.mu.Unlock()

	h.mu.Lock()
	h.released = true
	conns := make([]*conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.conns = nil
	h.mu.Unlock()
	for _, c := range conns {
		c.release(h)
	}
}

func (h *Hold) matches(line string) bool { return strings.Contains(line, h.match) }

// add holds c's current answer, unless h was released.
func (h *Hold) add(c *conn, line string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		return false
	}
	h.conns[c] = true
	h.count++
	h.p.stats.held.Add(1)
	select {
	case h.lines <- line:
	default:
	}
	return true
}

// forget drops a connection that went away.
func (h *Hold) forget(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns, c)
}
