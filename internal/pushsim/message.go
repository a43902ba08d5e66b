package pushsim

import (
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cpush/cpush/push"
)

// handlers are the RPC actions the simulator has.
var handlers = map[string]func(*Server, params) outcome{
	push.ActionPush:                     (*Server).push,
	push.ActionContinuouslyPush:         (*Server).continuouslyPush,
	push.ActionCompleteContinuouslyPush: (*Server).completeContinuouslyPush,
}

// message is a message stored with Push(Target=TBD).
type message struct {
	appKey             int64
	created, expiresAt time.Time
	completed          bool
	calls, targets     int
	used               int // pushes counted against the limit
	duplicates         int // deliveries beyond the first of a target
	content            Content
	// delivered counts deliveries by target type. Kept per message so a
	// call touches a map of at most a message's targets, which stays in
	// the CPU cache; Stats merges them.
	delivered map[string]*targetLog
}

// Content is what Push stored for a message.
type Content struct {
	PushType, DeviceType, Title, Body string
	// Params are all the Push call's parameters but the common ones
	// (AccessKeyId, Signature..., Timestamp, Version, Action, Format,
	// RegionId, ...), the fields above included.
	Params map[string]string
}

// clone returns a copy of c that shares no map with it.
func (c Content) clone() Content {
	c.Params = maps.Clone(c.Params)
	return c
}

// store keeps a new message and returns its MessageId; s.mu must be held.
func (s *Server) store(appKey int64, c Content) string {
	s.lastID++
	id := strconv.FormatInt(s.lastID, 10)
	now := s.now()
	s.messages[id] = &message{appKey: appKey, created: now, expiresAt: now.Add(s.cfg.MessageTTL), content: c}
	return id
}

// lookup returns the message id of appKey; s.mu must be held. A message of
// another AppKey is not found, as on the real service.
func (s *Server) lookup(appKey int64, id string) (*message, outcome, bool) {
	m := s.messages[id]
	if m == nil || m.appKey != appKey {
		return nil, violating(fail(http.StatusNotFound, push.CodeMessageNotFound,
			"MessageId %s is not found for AppKey %d.", id, appKey)), false
	}
	return m, outcome{}, true
}

// pushable reports whether m takes pushes now; s.mu must be held.
func (s *Server) pushable(id string, m *message) (outcome, bool) {
	if now := s.now(); !now.Before(m.expiresAt) {
		return violating(fail(http.StatusBadRequest, push.CodeMessageExpired,
			"MessageId %s expired at %s (message clock %s).", id,
			m.expiresAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))), false
	}
	if m.completed {
		return violating(fail(http.StatusBadRequest, push.CodeMessageCompleted,
			"MessageId %s was completed with CompleteContinuouslyPush.", id)), false
	}
	return outcome{}, true
}

// presize is the size a bulk-sent message's delivery map is made for: the
// values a message can take, at most maxPresize.
func (s *Server) presize() int {
	if s.cfg.LimitUnit == push.UnitCalls {
		return maxPresize
	}
	return min(s.cfg.MessageLimit, maxPresize)
}

// cost is what a call of n values counts against the limit.
func (s *Server) cost(n int) int {
	if s.cfg.LimitUnit == push.UnitCalls {
		return 1
	}
	return n
}

// deliver records one delivery per value of values (n of them, none
// empty) to m, counting cost against its limit; presize is Server.presize.
// The keys it keeps are substrings of values, so values must not be part
// of a larger string.
func (m *message) deliver(target, values string, n, cost, presize int) {
	m.calls++
	m.targets += n
	m.used += cost
	log := m.delivered[target]
	if log == nil {
		log = &targetLog{}
		if m.delivered == nil {
			m.delivered = make(map[string]*targetLog, 1)
		}
		m.delivered[strings.Clone(target)] = log
	}
	log.reserve(n, presize)
	for range n {
		var v string
		v, values, _ = strings.Cut(values, ",")
		c := log.seen[v]
		if c > 0 {
			m.duplicates++
		}
		log.seen[v] = c + 1
	}
}

// maxPresize bounds the size a message's delivery map is made for.
const maxPresize = 1 << 14

// targetLog counts a message's deliveries to one target type.
type targetLog struct {
	seen  map[string]int // value -> deliveries
	sized bool           // seen was made for presize values
}

// reserve makes room for n more values. The first call gets a map for its
// own values; a second call shows a bulk send, and the map is remade for
// presize values so that it does not rehash while filling up.
func (l *targetLog) reserve(n, presize int) {
	switch {
	case l.seen == nil:
		l.seen = make(map[string]int, n)
	case !l.sized:
		l.sized = true
		seen := make(map[string]int, max(presize, len(l.seen)+n))
		maps.Copy(seen, l.seen)
		l.seen = seen
	}
}
