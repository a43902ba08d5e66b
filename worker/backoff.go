package worker

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/cpush/cpush/internal/store"
)

// Throttling feedback. The limiter paces calls at the configured quota, but
// the service's real quota may be lower (other clients of the same account
// share it). Each Throttling answer multiplies the shared rate by 0.8 (at
// most once a second, however many workers see it, and never below 0.2 of
// the quota); the rate then climbs back linearly to the full quota over 30s.
var backoffRule = store.Backoff{Step: 0.8, Min: 0.2, Cooldown: time.Second, Recovery: 30 * time.Second}

// backoffCache is how long a worker reuses the factor it read.
const backoffCache = 250 * time.Millisecond

// effectiveFactor is the factor in force at now after a cut to f at cut.
func effectiveFactor(f float64, cut, now time.Time) float64 {
	if f >= 1 {
		return 1
	}
	return f + (1-f)*math.Min(1, float64(now.Sub(cut))/float64(backoffRule.Recovery))
}

// backoffs caches each account and action's last cut for backoffCache.
type backoffs struct {
	mu    sync.Mutex
	cache map[string]cachedCut
}

type cachedCut struct {
	factor float64
	cut    time.Time
	read   time.Time
}

// factor returns the factor in force for account's action.
func (b *backoffs) factor(ctx context.Context, s *store.Store, account, action string) (float64, error) {
	now := time.Now()
	key := account + "/" + action
	b.mu.Lock()
	c, ok := b.cache[key]
	b.mu.Unlock()
	if ok && now.Sub(c.read) < backoffCache {
		return effectiveFactor(c.factor, c.cut, now), nil
	}
	f, cut, err := s.BackoffCut(ctx, account, action)
	if err != nil {
		return 1, err
	}
	b.mu.Lock()
	b.cache[key] = cachedCut{factor: f, cut: cut, read: now}
	b.mu.Unlock()
	return effectiveFactor(f, cut, now), nil
}

// forget drops account's action's cached factor, so the next call reads
// the new one.
func (b *backoffs) forget(account, action string) {
	b.mu.Lock()
	delete(b.cache, account+"/"+action)
	b.mu.Unlock()
}
