package pushsim

import (
	"golang.org/x/time/rate"

	"github.com/cpush/cpush/push"
)

// SetQPS sets the quota of action: qps calls per second with a token
// bucket of burst (0: max(1, int(qps))). A qps of 0 removes the quota.
func (s *Server) SetQPS(action string, qps float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setLimiter(action, qps, burst)
}

// setLimiter installs the limiter of action; s.mu must be held.
func (s *Server) setLimiter(action string, qps float64, burst int) {
	if !(qps > 0) {
		delete(s.limiters, action)
		return
	}
	if burst <= 0 {
		burst = max(1, int(qps))
	}
	s.limiters[action] = rate.NewLimiter(rate.Limit(qps), burst)
}

// admit applies the quota of action and, for ContinuouslyPush, the random
// throttling and transient faults. It reports false with the refusal.
func (s *Server) admit(action string) (outcome, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.limiters[action]; l != nil && !l.Allow() {
		return throttled, false
	}
	if action != push.ActionContinuouslyPush {
		return outcome{}, true
	}
	if s.roll(s.faults.throttle) {
		return throttled, false
	}
	if s.roll(s.faults.transient) {
		return unavailable, false
	}
	return outcome{}, true
}

// roll reports true with probability p; s.mu must be held. It draws from
// the RNG only when 0 < p < 1, so a run without faults keeps the sequence.
func (s *Server) roll(p float64) bool {
	switch {
	case p <= 0:
		return false
	case p >= 1:
		return true
	default:
		return s.rng.Float64() < p
	}
}
