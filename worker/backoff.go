package worker

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Throttling feedback. The limiter paces calls at the configured quota, but
// the service's real quota may be lower (other clients of the same account
// share it). Each Throttling answer multiplies the shared rate by
// backoffStep (at most once per backoffCooldown, however many workers see
// it, and never below backoffMin of the quota); the rate then climbs back
// linearly to the full quota over backoffRecovery.
const (
	backoffStep     = 0.8
	backoffMin      = 0.2
	backoffCooldown = time.Second
	backoffRecovery = 30 * time.Second
	// backoffCache is how long a worker reuses the factor it read.
	backoffCache = 250 * time.Millisecond
)

// throttleScript records a throttled call against an account's action.
//
// KEYS[1] -> the backoff hash (jobs.Keys.RateBackoff)
// ARGV[1] -> now, ms
// ARGV[2] -> the step the factor is multiplied by
// ARGV[3] -> the lowest factor
// ARGV[4] -> the cooldown between two cuts, ms
// ARGV[5] -> the recovery time from a cut to the full rate, ms
//
// Returns the factor in force, as a string. The hash holds the factor set
// by the last cut and its time; it expires once recovered.
var throttleScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local f = tonumber(redis.call("HGET", KEYS[1], "factor") or "1")
local cut = tonumber(redis.call("HGET", KEYS[1], "cut_ms") or "0")
local rec = tonumber(ARGV[5])
local eff = f + (1 - f) * math.min(1, (now - cut) / rec)
if now - cut < tonumber(ARGV[4]) then
  return tostring(eff)
end
local nf = math.max(tonumber(ARGV[3]), eff * tonumber(ARGV[2]))
redis.call("HSET", KEYS[1], "factor", tostring(nf), "cut_ms", ARGV[1])
redis.call("PEXPIRE", KEYS[1], rec)
return tostring(nf)
`)

// effectiveFactor is the factor in force at now after a cut to f at cut.
func effectiveFactor(f float64, cut, now time.Time) float64 {
	if f >= 1 {
		return 1
	}
	return f + (1-f)*math.Min(1, float64(now.Sub(cut))/float64(backoffRecovery))
}

// backoffs caches each key's factor for backoffCache.
type backoffs struct {
	mu    sync.Mutex
	cache map[string]cachedFactor
}

type cachedFactor struct {
	factor float64
	cut    time.Time
	read   time.Time
}

// factor returns the factor in force for key.
func (b *backoffs) factor(ctx context.Context, rdb redis.UniversalClient, key string) (float64, error) {
	now := time.Now()
	b.mu.Lock()
	c, ok := b.cache[key]
	b.mu.Unlock()
	if ok && now.Sub(c.read) < backoffCache {
		return effectiveFactor(c.factor, c.cut, now), nil
	}
	vals, err := rdb.HMGet(ctx, key, "factor", "cut_ms").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 1, fmt.Errorf("reading the rate backoff: %w", err)
	}
	c = cachedFactor{factor: 1, read: now}
	if f, ok := vals[0].(string); ok {
		c.factor, _ = strconv.ParseFloat(f, 64)
		ms, _ := strconv.ParseInt(fmt.Sprint(vals[1]), 10, 64)
		c.cut = time.UnixMilli(ms)
	}
	b.mu.Lock()
	b.cache[key] = c
	b.mu.Unlock()
	return effectiveFactor(c.factor, c.cut, now), nil
}

// forget drops key's cached factor, so the next call reads the new one.
func (b *backoffs) forget(key string) {
	b.mu.Lock()
	delete(b.cache, key)
	b.mu.Unlock()
}
