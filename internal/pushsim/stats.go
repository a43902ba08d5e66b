package pushsim

import (
	"maps"
	"strings"
	"time"
)

// Stats is a snapshot of what the simulator saw since New or Reset.
type Stats struct {
	// Calls counts every RPC call: action -> code (StatOK for success,
	// StatDropped for a dropped connection) -> calls. Throttled and faulted
	// calls count too.
	Calls map[string]map[string]int
	// Deliveries counts deliveries per target, "TARGETTYPE:value" ->
	// times delivered, across all messages.
	Deliveries map[string]int
	// PerMessage describes each stored message, by MessageId.
	PerMessage map[string]MessageStats
	// Duplicates counts deliveries beyond the first for a target key,
	// across all messages.
	Duplicates int
	// Violations counts, by code, the refusals a correct client never
	// causes: a bad TargetValue (over MaxTargetsPerCall values, an empty
	// value, an account or alias over its bytes, a Push TargetValue that
	// is not its Target's), a target type ContinuouslyPush does not take,
	// a MessageId the AppKey has no continuous push message of
	// (ContinuouslyPush, CompleteContinuouslyPush; QueryPushStatByMsg: no
	// message at all), an expired or completed message (ContinuouslyPush)
	// and a call over the message's limit.
	Violations map[string]int
	// MaxValuesPerCall is the most TargetValue values seen in one Push or
	// ContinuouslyPush call that got as far as reading its TargetValue
	// (past authentication, throttling and the AppKey, refused or not).
	MaxValuesPerCall int
}

// MessageStats describes one stored message.
type MessageStats struct {
	AppKey int64
	// Target is TargetTBD for a continuous push message, else the type of
	// the targets Push delivered it to at once.
	Target             string
	Created, ExpiresAt time.Time // message clock
	Completed          bool
	Calls, Targets     int // calls that delivered (ambiguous faults too; a Push to targets is one) and their values
	Used               int // pushes counted against the limit, in its unit (0 for a Push to targets)
	Duplicates         int // deliveries of this message beyond the first for a target
	Content            Content
}

// Delivered returns how many times the target of type target and value
// was delivered (0 when never).
func (st Stats) Delivered(target, value string) int {
	return st.Deliveries[target+":"+value]
}

// counters are the running totals behind Stats.
type counters struct {
	calls      map[string]map[string]int
	violations map[string]int
	maxValues  int
}

func newCounters() counters {
	return counters{calls: make(map[string]map[string]int), violations: make(map[string]int)}
}

// count records the outcome of one call of action.
func (s *Server) count(action string, o outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byCode := s.stats.calls[action]
	if byCode == nil {
		byCode = make(map[string]int)
		s.stats.calls[strings.Clone(action)] = byCode
	}
	byCode[o.statKey()]++
	if o.violation {
		s.stats.violations[o.code]++
	}
	s.stats.maxValues = max(s.stats.maxValues, o.values)
}

// Stats returns a deep copy of the simulator's counts.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	deliveries, total := s.deliveries()
	st := Stats{
		Calls:            make(map[string]map[string]int, len(s.stats.calls)),
		Deliveries:       deliveries,
		PerMessage:       make(map[string]MessageStats, len(s.messages)),
		Duplicates:       total - len(deliveries),
		Violations:       maps.Clone(s.stats.violations),
		MaxValuesPerCall: s.stats.maxValues,
	}
	for action, byCode := range s.stats.calls {
		st.Calls[action] = maps.Clone(byCode)
	}
	for id, m := range s.messages {
		st.PerMessage[id] = m.stats()
	}
	return st
}

// deliveries merges the messages' delivery counts under "TARGETTYPE:value"
// keys and returns them with the number of deliveries; s.mu must be held.
func (s *Server) deliveries() (map[string]int, int) {
	n := 0
	for _, m := range s.messages {
		n += m.targets
	}
	out := make(map[string]int, n)
	for _, m := range s.messages {
		for target, log := range m.delivered {
			for v, c := range log.seen {
				out[target+":"+v] += c
			}
		}
	}
	return out, n
}

// stats describes m.
func (m *message) stats() MessageStats {
	return MessageStats{
		AppKey: m.appKey, Target: m.target, Created: m.created, ExpiresAt: m.expiresAt, Completed: m.completed,
		Calls: m.calls, Targets: m.targets, Used: m.used, Duplicates: m.duplicates,
		Content: m.content.clone(),
	}
}

// Counts is the cheap part of Stats, for polling during a long run: the
// calls by action and code, the violations, and the deliveries in all.
type Counts struct {
	Calls            map[string]map[string]int
	Violations       map[string]int
	MaxValuesPerCall int
	Delivered        int // deliveries, duplicates included
}

// Counts returns a copy of the simulator's counters without the
// per-target deliveries.
func (s *Server) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Counts{
		Calls:            make(map[string]map[string]int, len(s.stats.calls)),
		Violations:       maps.Clone(s.stats.violations),
		MaxValuesPerCall: s.stats.maxValues,
	}
	for action, byCode := range s.stats.calls {
		c.Calls[action] = maps.Clone(byCode)
	}
	for _, m := range s.messages {
		c.Delivered += m.targets
	}
	return c
}
