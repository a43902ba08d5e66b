package pushsim

import (
	"maps"
	"strconv"
	"strings"
	"time"
)

// message is a message stored with Push: with Target=TBD for
// ContinuouslyPush, or delivered at once to Push's own targets.
type message struct {
	appKey             int64
	target             string // TargetTBD, or the type of Push's own targets
	created, expiresAt time.Time
	lastDelivery       time.Time // message clock; zero before the first
	completed          bool
	calls, targets     int
	used               int // pushes counted against the limit (TBD messages)
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

// store keeps a new message of target type target and returns its
// MessageId; s.mu must be held.
func (s *Server) store(appKey int64, target string, c Content) (string, *message) {
	s.lastID++
	id := strconv.FormatInt(s.lastID, 10)
	now := s.now()
	m := &message{appKey: appKey, target: target, created: now, expiresAt: now.Add(s.cfg.MessageTTL), content: c}
	s.messages[id] = m
	return id, m
}

// lookup returns the message id of appKey; s.mu must be held. Docs
// silent on a MessageId of another AppKey; strict reading: the AppKey has
// no such message (Codes.MessageNotFound). A message Push delivered to its
// own targets is no continuous push task either (PageContinuouslyPush: the
// MessageId comes from Push with Target=TBD).
func (s *Server) lookup(appKey int64, id string) (*message, outcome, bool) {
	m := s.messages[id]
	if m == nil || m.appKey != appKey || m.target != TargetTBD {
		return nil, violating(failAs(s.cfg.Codes.MessageNotFound,
			"MessageId %s is not a continuous push message of AppKey %d.", id, appKey)), false
	}
	return m, outcome{}, true
}

// pushable reports whether m takes pushes now; s.mu must be held.
// PageContinuouslyPush: "Pushes are not allowed after expiration"
// (Codes.MessageExpired); a completed message ends the task
// (PageComplete; Codes.MessageCompleted).
func (s *Server) pushable(id string, m *message) (outcome, bool) {
	if o, ok := s.live(id, m); !ok {
		return violating(o), false
	}
	return outcome{}, true
}

// live refuses m when expired or completed; s.mu must be held.
func (s *Server) live(id string, m *message) (outcome, bool) {
	if now := s.now(); !now.Before(m.expiresAt) {
		return failAs(s.cfg.Codes.MessageExpired, "MessageId %s expired at %s (message clock %s).", id,
			m.expiresAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)), false
	}
	if m.completed {
		return failAs(s.cfg.Codes.MessageCompleted,
			"MessageId %s was completed with CompleteContinuouslyPush.", id), false
	}
	return outcome{}, true
}

// presize is the size a bulk-sent message's delivery map is made for: the
// values a message can take, at most maxPresize.
func (s *Server) presize() int {
	if s.cfg.LimitUnit == UnitCalls {
		return maxPresize
	}
	return min(s.cfg.MessageLimit, maxPresize)
}

// cost is what a call of n values counts against the limit.
func (s *Server) cost(n int) int {
	if s.cfg.LimitUnit == UnitCalls {
		return 1
	}
	return n
}

// deliver records at at (message clock) one delivery per value of values
// (n of them, none empty) to m, counting cost against its limit; presize
// is Server.presize. The keys it keeps are substrings of values, so values
// must not be part of a larger string.
func (m *message) deliver(at time.Time, target, values string, n, cost, presize int) {
	m.lastDelivery = at
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

// sent returns how many distinct targets m was delivered to.
func (m *message) sent() int {
	n := 0
	for _, log := range m.delivered {
		n += len(log.seen)
	}
	return n
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
