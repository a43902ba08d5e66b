package pushsim

import (
	"maps"
	"time"

	"golang.org/x/time/rate"
)

// Quota is an API rate quota: at most Calls calls in any window of Per.
type Quota struct {
	Calls int
	Per   time.Duration
}

// documentedQuotas are PageQuotas' quotas of the actions the simulator has:
// "Push 1000000/60(s)", "ContinuouslyPush 500/1(s)",
// "CompleteContinuouslyPush 10000/60(s)", "QueryPushStatByMsg 50/1(s)",
// each with "API限速维度: regionId, API, ParentUid" (region, API, main
// account).
var documentedQuotas = map[string]Quota{
	ActionPush:                     {1000000, time.Minute},
	ActionContinuouslyPush:         {500, time.Second},
	ActionCompleteContinuouslyPush: {10000, time.Minute},
	ActionQueryPushStatByMsg:       {50, time.Second},
}

// DocumentedQuotas returns a copy of the quotas the simulator applies by
// default, by action (PageQuotas). Each is counted per main account,
// region (the RegionId parameter) and action.
func DocumentedQuotas() map[string]Quota {
	return maps.Clone(documentedQuotas)
}

// quotaKey is what a quota is counted per (PageQuotas: regionId, API,
// ParentUid).
type quotaKey struct{ account, region, action string }

// quotas are the rate limits of a Server; its owner's mu guards them.
type quotas struct {
	off       bool                       // documented quotas off (Config.NoQuotas)
	override  map[string]qpsSetting      // action -> SetQPS or Config.QPS
	windows   map[quotaKey]*window       // documented quota state
	buckets   map[quotaKey]*rate.Limiter // override state
	apiLimits map[string]*rate.Limiter   // action -> Throttling.Api flow control
}

// qpsSetting is a token bucket quota; qps 0 means no quota at all.
type qpsSetting struct {
	qps   float64
	burst int
}

func newQuotas(cfg Config) quotas {
	q := quotas{
		off: cfg.NoQuotas, override: make(map[string]qpsSetting),
		windows: make(map[quotaKey]*window), buckets: make(map[quotaKey]*rate.Limiter),
		apiLimits: make(map[string]*rate.Limiter),
	}
	for action, qps := range cfg.QPS {
		q.override[action] = qpsSetting{qps, cfg.Burst[action]}
	}
	for action, qps := range cfg.APIQPS {
		if qps > 0 {
			q.apiLimits[action] = rate.NewLimiter(rate.Limit(qps), max(1, int(qps)))
		}
	}
	return q
}

// allow reports whether k may make one more call now, and the code that
// refuses it when not.
func (q *quotas) allow(k quotaKey, now time.Time) (string, bool) {
	if l := q.apiLimits[k.action]; l != nil && !l.AllowN(now, 1) {
		return CodeThrottlingAPI, false
	}
	if o, ok := q.override[k.action]; ok {
		return CodeThrottlingUser, o.qps <= 0 || q.bucket(k, o).AllowN(now, 1)
	}
	quota, ok := documentedQuotas[k.action]
	if q.off || !ok {
		return "", true
	}
	w := q.windows[k]
	if w == nil {
		w = &window{quota: quota}
		q.windows[k] = w
	}
	return CodeThrottlingUser, w.allow(now)
}

// bucket returns the token bucket of k under o.
func (q *quotas) bucket(k quotaKey, o qpsSetting) *rate.Limiter {
	l := q.buckets[k]
	if l == nil {
		burst := o.burst
		if burst <= 0 {
			burst = max(1, int(o.qps))
		}
		l = rate.NewLimiter(rate.Limit(o.qps), burst)
		q.buckets[k] = l
	}
	return l
}

// set installs the override of action, forgetting its state.
func (q *quotas) set(action string, o qpsSetting) {
	q.override[action] = o
	for k := range q.buckets {
		if k.action == action {
			delete(q.buckets, k)
		}
	}
}

// window enforces a Quota exactly: a call is allowed when fewer than
// quota.Calls calls were allowed in the quota.Per before it. Docs silent on
// the algorithm; strict reading: "N/window" holds for every window, not
// only aligned ones, so a caller that bursts a whole quota waits a whole
// window. It keeps the times of the last quota.Calls calls in a ring that
// grows only as far as the calls made.
type window struct {
	quota Quota
	times []int64 // unix nanoseconds; times[head] is the oldest once full
	head  int
}

func (w *window) allow(now time.Time) bool {
	t := now.UnixNano()
	if len(w.times) < w.quota.Calls {
		w.times = append(w.times, t)
		return true
	}
	if t-w.times[w.head] < int64(w.quota.Per) {
		return false
	}
	w.times[w.head] = t
	w.head = (w.head + 1) % len(w.times)
	return true
}

// SetQPS replaces the quota of action (for every main account and region)
// with qps calls per second and a token bucket of burst (0: max(1,
// int(qps))). A qps of 0 removes every quota of action, the documented
// one included.
func (s *Server) SetQPS(action string, qps float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quotas.set(action, qpsSetting{max(qps, 0), max(burst, 0)})
}

// SetNoQuotas turns the documented quotas off (true) or on (false). The
// overrides of SetQPS and Config.QPS stay.
func (s *Server) SetNoQuotas(off bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quotas.off = off
}

// admit applies the quotas of the caller's main account, region and
// action and, for ContinuouslyPush, the random throttling and transient
// faults. It reports false with the refusal.
func (s *Server) admit(k quotaKey) (outcome, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code, ok := s.quotas.allow(k, time.Now()); !ok {
		return throttledAs(code), false
	}
	if k.action != ActionContinuouslyPush {
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
