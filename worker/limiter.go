package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// Limiter is the rate limiter that every worker of an account shares: GCRA
// on Redis (redis_rate), one key per account and action, slowed down for a
// while when the service throttles (see backoff.go).
type Limiter struct {
	rdb      redis.UniversalClient
	rl       *redis_rate.Limiter
	keys     jobs.Keys
	maxWait  time.Duration
	metrics  *metrics
	backoffs backoffs
}

func newLimiter(rdb redis.UniversalClient, keys jobs.Keys, maxWait time.Duration, m *metrics) *Limiter {
	return &Limiter{rdb: rdb, rl: redis_rate.NewLimiter(rdb), keys: keys, maxWait: maxWait, metrics: m,
		backoffs: backoffs{cache: map[string]cachedFactor{}}}
}

// Throttled tells every worker that the service throttled app's action:
// the shared rate backs off, then recovers.
func (l *Limiter) Throttled(ctx context.Context, app App, action string) (float64, error) {
	key := l.keys.RateBackoff(app.Account, action)
	f, err := throttleScript.Run(ctx, l.rdb, []string{key}, time.Now().UnixMilli(), backoffStep, backoffMin,
		backoffCooldown.Milliseconds(), backoffRecovery.Milliseconds()).Float64()
	l.backoffs.forget(key)
	if err != nil {
		return 1, fmt.Errorf("recording throttling of %s: %w", action, err)
	}
	return f, nil
}

// limit is the GCRA limit of app's action now: its quota times the backoff
// factor in force.
func (l *Limiter) limit(ctx context.Context, app App, action string) (redis_rate.Limit, error) {
	f, err := l.backoffs.factor(ctx, l.rdb, l.keys.RateBackoff(app.Account, action))
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
	key := l.keys.Rate(app.Account, action)
	for {
		limit, err := l.limit(ctx, app, action)
		if err != nil {
			return 0, err
		}
		res, err := l.rl.Allow(ctx, key, limit)
		if err != nil {
			return 0, fmt.Errorf("rate limiter for %s: %w", action, err)
		}
		if res.Allowed > 0 {
			waited := time.Since(start)
			l.metrics.wait.WithLabelValues(action).Observe(waited.Seconds())
			return waited, nil
		}
		if time.Now().Add(res.RetryAfter).After(deadline) {
			return 0, &WaitError{Delay: res.RetryAfter, Reason: "rate limit of " + action}
		}
		if err := sleep(ctx, res.RetryAfter); err != nil {
			return 0, err
		}
	}
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
