package pushsim

import "strings"

// chunk is a checked ContinuouslyPush call.
type chunk struct {
	appKey    int64
	messageID string
	target    string
	values    string // comma-separated, none empty
	n         int    // number of values
}

// continuouslyPush is the ContinuouslyPush action (PageContinuouslyPush):
// it delivers a stored message to up to MaxTargetsPerCall targets.
func (s *Server) continuouslyPush(c caller, p params) outcome {
	k, o, ok := parseChunk(c, p)
	if !ok {
		return o
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o = s.pushChunk(k)
	o.values = k.n
	return o
}

// pushChunk delivers k, or refuses it with nothing delivered; s.mu must be
// held. PageContinuouslyPush: "The total number of pushes for the same
// MessageId is restricted to 10,000" (Config.MessageLimit, counted in
// Config.LimitUnit; docs silent on the unit, targets by default), "Pushes
// are not allowed ... after reaching the total push limit"
// (Codes.MessageLimitExceeded; a call that would cross the limit delivers
// nothing: docs silent, strict reading).
func (s *Server) pushChunk(k chunk) outcome {
	m, o, ok := s.lookup(k.appKey, k.messageID)
	if !ok {
		return o
	}
	if o, ok := s.pushable(k.messageID, m); !ok {
		return o
	}
	if cost := s.cost(k.n); m.used+cost > s.cfg.MessageLimit {
		return violating(failAs(s.cfg.Codes.MessageLimitExceeded,
			"MessageId %s has used %d of its %d pushes (%s); this call needs %d.",
			k.messageID, m.used, s.cfg.MessageLimit, s.cfg.LimitUnit, cost))
	}
	m.deliver(s.now(), k.target, k.values, k.n, s.cost(k.n), s.presize())
	return s.afterDelivery(success(k.messageID))
}

// afterDelivery turns o into an ambiguous fault at the configured rate;
// s.mu must be held.
func (s *Server) afterDelivery(o outcome) outcome {
	if !s.roll(s.faults.ambiguous) {
		return o
	}
	if s.cfg.AmbiguousMode == AmbiguousDrop {
		return outcome{drop: true}
	}
	return internalError
}

// parseChunk checks ContinuouslyPush's parameters: PageContinuouslyPush
// marks AppKey, MessageId, Target and TargetValue required; Target is
// DEVICE, ACCOUNT or ALIAS ("Continuous push supports only these three
// target types", else InvalidTarget); TargetValue as checkValues says. A
// refusal after TargetValue was read carries its number of values.
func parseChunk(c caller, p params) (chunk, outcome, bool) {
	appKey, o, ok := appKeyOf(c, p)
	if !ok {
		return chunk{}, o, false
	}
	if o, ok := require(p, "MessageId", "Target", "TargetValue"); !ok {
		return chunk{}, o, false
	}
	k := chunk{appKey: appKey, messageID: p.get("MessageId"), target: p.get("Target"), values: p.get("TargetValue")}
	if o, ok := oneOf("Target", k.target, []string{TargetDevice, TargetAccount, TargetAlias}); !ok {
		return chunk{}, violating(o), false
	}
	n, o, ok := checkValues(k.target, k.values)
	k.n = n
	if !ok {
		o = violating(o)
		o.values = n
		return chunk{}, o, false
	}
	k.values = strings.Clone(k.values) // the delivery keys must not pin the query
	return k, outcome{}, true
}

// completeContinuouslyPush is the CompleteContinuouslyPush action
// (PageComplete: AppKey and MessageId required; "If you do not call this
// API ..., the continuous push task ends automatically when it reaches its
// expiry"). Docs silent on completing a task that has ended; strict
// reading: an expired task answers Codes.MessageExpired and a completed
// one Codes.MessageCompleted. Neither counts as a violation: a correct
// client may complete a message that expired meanwhile.
func (s *Server) completeContinuouslyPush(c caller, p params) outcome {
	appKey, o, ok := appKeyOf(c, p)
	if !ok {
		return o
	}
	if o, ok := require(p, "MessageId"); !ok {
		return o
	}
	id := p.get("MessageId")
	s.mu.Lock()
	defer s.mu.Unlock()
	m, o, ok := s.lookup(appKey, id)
	if !ok {
		return o
	}
	if o, ok := s.live(id, m); !ok {
		return o
	}
	m.completed = true
	return success(id)
}
