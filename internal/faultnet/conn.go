package faultnet

import (
	"bytes"
	"io"
	"net"
	"sync"
)

// phase is where a connection is in its request/answer turns.
type phase int

const (
	phaseIdle    phase = iota // nothing sent yet, or the last answer is done
	phaseRequest              // the client is sending a request
	phaseAnswer               // the server is answering it
)

// maxLine bounds the request line a connection keeps for matching.
const maxLine = 4096

// conn is one proxied connection.
type conn struct {
	p      *Proxy
	client net.Conn

	mu     sync.Mutex
	server net.Conn
	phase  phase
	line   []byte // the current request's first line, up to maxLine
	broken bool   // black-holed: nothing is forwarded until it is reset
	hold   *Hold  // the hold the current answer is held by
	held   []byte // the held answer bytes
	closed bool

	// wmu orders writes to the client: it is taken under mu, then mu is let
	// go for the write, so a held answer and what follows keep their order.
	wmu sync.Mutex
}

func (c *conn) setServer(s net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		s.Close()
		return false
	}
	c.server = s
	return true
}

// pumpRequests forwards the client's bytes to the server until either ends.
func (c *conn) pumpRequests() {
	defer c.closeBoth()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.client.Read(buf)
		if n > 0 {
			forward, ok := c.onRequest(buf[:n])
			if !ok {
				return
			}
			if forward {
				if _, werr := c.server.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// onRequest notes request bytes: the start of a request and its first line.
// It reports whether to forward them and whether the connection lives.
func (c *conn) onRequest(b []byte) (forward, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return false, false
	case c.broken || c.p.Mode() == Blackhole:
		c.broken = true
		return false, true
	}
	if c.phase != phaseRequest {
		c.phase, c.line = phaseRequest, c.line[:0]
		c.p.stats.requests.Add(1)
	}
	if len(c.line) < maxLine && !bytes.Contains(c.line, []byte("\r\n")) {
		c.line = append(c.line, b[:min(len(b), maxLine-len(c.line))]...)
	}
	return true, true
}

// pumpAnswers forwards the server's bytes to the client, as the mode and
// the holds say, until either ends.
func (c *conn) pumpAnswers() {
	defer c.closeBoth()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.server.Read(buf)
		if n > 0 && !c.onAnswer(buf[:n]) {
			return
		}
		if err != nil {
			return
		}
	}
}

// onAnswer forwards, holds, drops or discards answer bytes, and reports
// whether the connection lives.
func (c *conn) onAnswer(b []byte) bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	if c.broken || c.p.Mode() == Blackhole {
		c.broken = true
		c.mu.Unlock()
		return true
	}
	if c.phase == phaseRequest { // the answer begins
		c.phase = phaseAnswer
		if c.p.Mode() == DropAnswers {
			c.p.stats.dropped.Add(1)
			c.resetLocked()
			c.mu.Unlock()
			return false
		}
		if h := c.p.holdFor(requestLine(c.line)); h != nil && h.add(c, requestLine(c.line)) {
			c.hold = h
		}
	}
	if c.hold != nil {
		c.held = append(c.held, b...)
		c.mu.Unlock()
		return true
	}
	return c.writeClient(b)
}

// writeClient writes b to the client; c.mu must be held and is let go.
func (c *conn) writeClient(b []byte) bool {
	c.wmu.Lock()
	c.mu.Unlock()
	defer c.wmu.Unlock()
	_, err := c.client.Write(b)
	return err == nil
}

// release forwards the answer held by h, if any, and stops holding.
func (c *conn) release(h *Hold) {
	c.mu.Lock()
	if c.hold != h || c.closed {
		c.mu.Unlock()
		return
	}
	b := c.held
	c.hold, c.held = nil, nil
	c.writeClient(b)
}

// requestLine is a request's first line without its line end.
func requestLine(b []byte) string {
	if i := bytes.Index(b, []byte("\r\n")); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// breakStream black-holes the connection.
func (c *conn) breakStream() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.broken = true
}

// discard reads and drops the client's bytes until it goes away (a
// connection black-holed from its start).
func (c *conn) discard(client net.Conn) {
	io.Copy(io.Discard, client)
	c.closeBoth()
}

// reset resets both sides and reports whether the connection was open.
func (c *conn) reset() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.resetLocked()
	return true
}

// resetLocked resets both sides; c.mu must be held.
func (c *conn) resetLocked() {
	c.closed = true
	c.p.stats.reset.Add(1) // before the client can see it
	resetConn(c.client)
	if c.server != nil {
		resetConn(c.server)
	}
}

// closeBoth closes both sides, if not yet closed.
func (c *conn) closeBoth() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	c.client.Close()
	if c.server != nil {
		c.server.Close()
	}
}

// resetConn closes nc with an RST rather than a FIN.
func resetConn(nc net.Conn) {
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	nc.Close()
}
