package pushsim

import (
	"net/http"
	"strings"

	"github.com/cpush/cpush/push"
)

// chunk is a checked ContinuouslyPush call.
type chunk struct {
	appKey    int64
	messageID string
	target    string
	values    string // comma-separated, none empty
	n         int    // number of values
}

// continuouslyPush is the ContinuouslyPush action: it delivers a stored
// message to up to MaxTargetsPerCall targets.
func (s *Server) continuouslyPush(p params) outcome {
	c, o, ok := parseChunk(p)
	if !ok {
		return o
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o = s.pushChunk(c)
	o.values = c.n
	return o
}

// pushChunk delivers c, or refuses it with nothing delivered; s.mu must be held.
func (s *Server) pushChunk(c chunk) outcome {
	m, o, ok := s.lookup(c.appKey, c.messageID)
	if !ok {
		return o
	}
	if o, ok := s.pushable(c.messageID, m); !ok {
		return o
	}
	if cost := s.cost(c.n); m.used+cost > s.cfg.MessageLimit {
		return violating(fail(http.StatusBadRequest, push.CodeMessageLimitExceeded,
			"MessageId %s has used %d of its %d pushes (%s); this call needs %d.",
			c.messageID, m.used, s.cfg.MessageLimit, s.cfg.LimitUnit, cost))
	}
	m.deliver(c.target, c.values, c.n, s.cost(c.n), s.presize())
	return s.afterDelivery(success(c.messageID))
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

// parseChunk checks ContinuouslyPush's parameters. A refusal after
// TargetValue was read carries its number of values.
func parseChunk(p params) (chunk, outcome, bool) {
	appKey, o, ok := parseAppKey(p)
	if !ok {
		return chunk{}, o, false
	}
	if o, ok := require(p, "MessageId", "Target", "TargetValue"); !ok {
		return chunk{}, o, false
	}
	c := chunk{appKey: appKey, messageID: p.get("MessageId"), target: p.get("Target"), values: p.get("TargetValue")}
	c.n = strings.Count(c.values, ",") + 1
	if o, ok := checkChunk(c); !ok {
		o.values = c.n
		return chunk{}, o, false
	}
	c.values = strings.Clone(c.values) // the delivery keys must not pin the query
	return c, outcome{}, true
}

// checkChunk refuses a target type other than DEVICE, ACCOUNT and ALIAS,
// over MaxTargetsPerCall values, and an empty value.
func checkChunk(c chunk) (outcome, bool) {
	if o, ok := checkChunkTarget(c.target); !ok {
		return o, false
	}
	if c.n > push.MaxTargetsPerCall {
		return violating(invalid("TargetValue has %d values; at most %d per call.", c.n, push.MaxTargetsPerCall)), false
	}
	if hasEmptyValue(c.values) {
		return violating(invalid("TargetValue has an empty value.")), false
	}
	return outcome{}, true
}

// checkChunkTarget allows DEVICE, ACCOUNT and ALIAS only.
func checkChunkTarget(target string) (outcome, bool) {
	switch target {
	case push.TargetDevice, push.TargetAccount, push.TargetAlias:
		return outcome{}, true
	}
	return violating(invalid("Target %q: ContinuouslyPush takes only DEVICE, ACCOUNT and ALIAS.", target)), false
}

// hasEmptyValue reports whether one of the comma-separated values of s is empty.
func hasEmptyValue(s string) bool {
	return s == "" || s[0] == ',' || s[len(s)-1] == ',' || strings.Contains(s, ",,")
}

// completeContinuouslyPush is the CompleteContinuouslyPush action: it ends
// a stored message. Completing it again succeeds.
func (s *Server) completeContinuouslyPush(p params) outcome {
	appKey, o, ok := parseAppKey(p)
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
	m.completed = true
	return success(id)
}
