package pushsim

import (
	"strings"
	"sync"
	"time"
)

// nonceCache remembers the SignatureNonces of the last NonceWindow. Entries
// leave in arrival order, so memory stays proportional to the call rate.
type nonceCache struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	queue []nonceEntry // arrival order; queue[head:] are live
	head  int
}

type nonceEntry struct {
	nonce string
	at    time.Time
}

func newNonceCache() *nonceCache {
	return &nonceCache{seen: make(map[string]time.Time)}
}

// use records nonce at now and reports false when it was already used
// within NonceWindow.
func (c *nonceCache) use(nonce string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prune(now)
	if _, used := c.seen[nonce]; used {
		return false
	}
	nonce = strings.Clone(nonce) // do not pin the request's query
	c.seen[nonce] = now
	c.queue = append(c.queue, nonceEntry{nonce, now})
	return true
}

// prune forgets the nonces older than NonceWindow.
func (c *nonceCache) prune(now time.Time) {
	for c.head < len(c.queue) && now.Sub(c.queue[c.head].at) >= NonceWindow {
		delete(c.seen, c.queue[c.head].nonce)
		c.queue[c.head] = nonceEntry{}
		c.head++
	}
	if c.head > 1024 && c.head > len(c.queue)/2 {
		c.queue = append(c.queue[:0], c.queue[c.head:]...)
		c.head = 0
	}
}

// len returns how many nonces are remembered.
func (c *nonceCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}
