package worker

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/push"
)

// Limiter is the rate limiter that every worker of an account shares: GCRA
// on Redis (redis_rate), one key per account and action, slowed down for a
// while when the service throttles (see backoff.go).
//
// In a process, the callers waiting for one account's action queue at a
// gate and only the one at its head asks Redis, when the next call is due:
// without it every waiting task would ask at once each time a call came
// due, one of them would win, and the Redis round trips would grow with the
// number of waiting tasks. The head asks for as many calls as there are
// callers at the gate (up to the burst), at most every askEvery, and hands
// the extra ones to the callers behind it: a few calls per round trip
// instead of one, while several processes share the rate.
type Limiter struct {
	store    *store.Store
	rl       *redis_rate.Limiter
	maxWait  time.Duration
	metrics  *metrics
	backoffs backoffs
	mu       sync.Mutex
	gates    map[string]*gate
}

// gate is the queue of a process's callers for one account's action.
type gate struct {
	turn    chan struct{} // holds a token while no caller asks Redis
	waiting int           // callers at the gate; guarded by Limiter.mu
	next    time.Time     // when the next call is due, as last seen; guarded by turn
	// granted are calls taken from Redis for the callers behind the head,
	// usable until grantedUntil; guarded by turn.
	granted      int
	grantedUntil time.Time
	// avail is how many calls Redis said were left at availAt, from which
	// the head reckons how many to ask for; guarded by turn.
	avail   int
	availAt time.Time
}

// askEvery is the shortest time between two asks of a gate's head while
// it has more callers than calls: the calls that come due meanwhile are
// taken in one round trip, and go out together (a few, well within the
// burst).
const askEvery = 20 * time.Millisecond

// grantTTL is how long calls taken for the callers behind the head stay
// usable: they are taken for callers already waiting, so they go at once;
// one left over by a caller that gave up is dropped.
const grantTTL = 50 * time.Millisecond

func newLimiter(rdb redis.UniversalClient, s *store.Store, maxWait time.Duration, m *metrics) *Limiter {
	return &Limiter{store: s, rl: redis_rate.NewLimiter(rdb), maxWait: maxWait, metrics: m,
		backoffs: backoffs{cache: map[string]cachedCut{}}, gates: map[string]*gate{}}
}

// Throttled tells every worker that the service throttled app's action:
// the shared rate backs off, then recovers.
func (l *Limiter) Throttled(ctx context.Context, app App, action string) (float64, error) {
	f, err := l.store.Throttled(ctx, app.Account, action, time.Now(), backoffRule)
	l.backoffs.forget(app.Account, action)
	return f, err
}

// limit is the GCRA limit of app's action now: its quota times the backoff
// factor in force.
func (l *Limiter) limit(ctx context.Context, app App, action string) (redis_rate.Limit, error) {
	f, err := l.backoffs.factor(ctx, l.store, app.Account, action)
	if err != nil {
		return redis_rate.Limit{}, err
	}
	rate := app.rate(action)
	l.metrics.rate.WithLabelValues(action).Set(float64(rate) * f)
	return perSecond(max(1, int(float64(rate)*f))), nil
}

// rate is an app's quota of action, calls per second.
func (a App) rate(action string) int {
	switch action {
	case push.ActionPush:
		return a.Rates.Push
	case push.ActionCompleteContinuouslyPush:
		return a.Rates.Complete
	case push.ActionQueryPushStatByMsg:
		return a.Rates.QueryStats
	}
	return a.Rates.ContinuouslyPush
}

// perSecond is a limit of rate calls per second with a burst of a tenth of
// a second's calls: even spacing, so that bunching never trips the
// service's own per-second quota.
func perSecond(rate int) redis_rate.Limit {
	return redis_rate.Limit{Rate: rate, Burst: max(1, rate/10), Period: time.Second}
}

// Wait takes one call of action from the shared quota, sleeping while the
// wait is short, and returns how long it waited. A wait longer than
// MaxInlineWait returns a *WaitError, so the task goes back to the queue
// without using up a retry.
func (l *Limiter) Wait(ctx context.Context, app App, action string) (time.Duration, error) {
	start := time.Now()
	deadline := start.Add(l.maxWait)
	key := l.store.Keys().Rate(app.Account, action)
	g, ahead := l.enter(key)
	defer l.leave(g)
	if d := time.Duration(ahead) * time.Second / time.Duration(max(1, app.rate(action))); d > l.maxWait {
		return 0, &WaitError{Delay: d, Reason: fmt.Sprintf("rate limit of %s: %d calls queued", action, ahead)}
	}
	select {
	case <-g.turn:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { g.turn <- struct{}{} }()
	for {
		if g.granted > 0 && time.Now().Before(g.grantedUntil) {
			g.granted--
			return l.waited(action, start), nil
		}
		g.granted = 0
		if err := sleepUntil(ctx, g.next, deadline, action); err != nil {
			return 0, err
		}
		limit, err := l.limit(ctx, app, action)
		if err != nil {
			return 0, err
		}
		waiting := l.waitingAt(g)
		asked := min(waiting, g.reckon(limit))
		// AllowN, not AllowAtMost: AllowAtMost spends the fraction of a
		// call it cannot grant, which halves a rate asked a call and a half
		// at a time.
		res, err := l.rl.AllowN(ctx, key, limit, asked)
		if err != nil {
			return 0, fmt.Errorf("rate limiter for %s: %w", action, err)
		}
		now := time.Now()
		interval := limit.Period / time.Duration(limit.Rate)
		if res.Allowed == 0 {
			g.avail, g.availAt = 0, now
			g.next = now.Add(res.RetryAfter)
			continue
		}
		g.granted, g.grantedUntil = res.Allowed-1, now.Add(grantTTL)
		g.avail, g.availAt = res.Remaining, now
		switch {
		case res.Remaining > 0:
			g.next = now
		case res.Allowed < waiting: // more callers than calls: let the next ones come due together
			g.next = now.Add(max(askEvery, interval))
		default:
			g.next = now.Add(interval)
		}
		return l.waited(action, start), nil
	}
}

// reckon is how many calls the head may ask for now: those Redis said
// were left, plus those come due since, within the burst; at least one.
func (g *gate) reckon(limit redis_rate.Limit) int {
	if g.availAt.IsZero() {
		return limit.Burst
	}
	due := int(min(time.Since(g.availAt), limit.Period) * time.Duration(limit.Rate) / limit.Period)
	return max(1, min(limit.Burst, g.avail+due))
}

// waited observes and returns the wait of a call that began at start.
func (l *Limiter) waited(action string, start time.Time) time.Duration {
	d := time.Since(start)
	l.metrics.wait.WithLabelValues(action).Observe(d.Seconds())
	return d
}

// waitingAt returns the number of callers at gate g.
func (l *Limiter) waitingAt(g *gate) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(1, g.waiting)
}

// enter joins the gate of key and returns it with the number of callers
// ahead.
func (l *Limiter) enter(key string) (*gate, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	g := l.gates[key]
	if g == nil {
		g = &gate{turn: make(chan struct{}, 1)}
		g.turn <- struct{}{}
		l.gates[key] = g
	}
	g.waiting++
	return g, g.waiting - 1
}

func (l *Limiter) leave(g *gate) {
	l.mu.Lock()
	g.waiting--
	l.mu.Unlock()
}

// sleepUntil sleeps until t, or returns a *WaitError when t is past the
// deadline.
func sleepUntil(ctx context.Context, t, deadline time.Time, action string) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	if t.After(deadline) {
		return &WaitError{Delay: d, Reason: "rate limit of " + action}
	}
	return sleep(ctx, d)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
