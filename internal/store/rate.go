package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Backoff is the rule by which the service's throttling slows a shared
// rate down: each throttled answer multiplies the rate by Step, at most
// once per Cooldown and never below Min of the quota; it then recovers
// linearly to the full quota over Recovery.
type Backoff struct {
	Step, Min          float64
	Cooldown, Recovery time.Duration
}

// throttleScript records a throttled call against an account's action.
//
// KEYS[1] -> the backoff hash (Keys.RateBackoff)
// ARGV[1] -> now, ms
// ARGV[2] -> the step the factor is multiplied by
// ARGV[3] -> the lowest factor
// ARGV[4] -> the cooldown between two cuts, ms
// ARGV[5] -> the recovery time from a cut to the full rate, ms
//
// Returns the factor in force, as a string. The hash holds the factor set
// by the last cut and its time; it expires once recovered.
var throttleScript = newScript(`
local now = tonumber(ARGV[1])
local f = tonumber(redis.call("HGET", KEYS[1], @b_factor) or "1")
local cut = tonumber(redis.call("HGET", KEYS[1], @b_cut) or "0")
local rec = tonumber(ARGV[5])
local eff = f + (1 - f) * math.min(1, (now - cut) / rec)
if now - cut < tonumber(ARGV[4]) then
  return tostring(eff)
end
local nf = math.max(tonumber(ARGV[3]), eff * tonumber(ARGV[2]))
redis.call("HSET", KEYS[1], @b_factor, tostring(nf), @b_cut, ARGV[1])
redis.call("PEXPIRE", KEYS[1], rec)
return tostring(nf)
`)

// Throttled records that the service throttled account's action at now
// and returns the factor of the quota now in force.
func (s *Store) Throttled(ctx context.Context, account, action string, now time.Time, b Backoff) (float64, error) {
	f, err := throttleScript.Run(ctx, s.rdb, []string{s.keys.RateBackoff(account, action)}, now.UnixMilli(),
		b.Step, b.Min, b.Cooldown.Milliseconds(), b.Recovery.Milliseconds()).Float64()
	if err != nil {
		return 1, fmt.Errorf("recording throttling of %s: %w", action, err)
	}
	return f, nil
}

// BackoffCut reads the last cut of account's action: the factor it set
// and when (factor 1 when there is none).
func (s *Store) BackoffCut(ctx context.Context, account, action string) (float64, time.Time, error) {
	vals, err := s.rdb.HMGet(ctx, s.keys.RateBackoff(account, action), backoffFactor, backoffCut).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 1, time.Time{}, fmt.Errorf("reading the rate backoff of %s: %w", action, err)
	}
	f, ok := vals[0].(string)
	if !ok {
		return 1, time.Time{}, nil
	}
	factor, _ := strconv.ParseFloat(f, 64)
	return factor, msTime(stringOf(vals[1])), nil
}
