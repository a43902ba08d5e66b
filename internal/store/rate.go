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

// Breaker hash fields (Keys.Breaker).
const (
	breakerOpenUntil  = "open_until_ms"
	breakerProbeUntil = "probe_until_ms"
	breakerInterval   = "interval_ms"
)

// breakerTripScript opens an account's breaker, unless it is open.
//
// KEYS[1] -> the breaker hash (Keys.Breaker)
// ARGV[1] -> now, ms
// ARGV[2] -> the first open interval, ms
// ARGV[3] -> the longest open interval, ms
//
// Returns when the breaker is open until, ms. Each trip after a failed
// probe doubles the interval, up to the longest; the hash expires a minute
// after the breaker would close.
var breakerTripScript = newScript(`
local now = tonumber(ARGV[1])
local until_ms = tonumber(redis.call("HGET", KEYS[1], @br_open) or "0")
if until_ms > now then
  return until_ms
end
local interval = tonumber(ARGV[2])
if until_ms > 0 then
  interval = math.min(tonumber(ARGV[3]), 2 * tonumber(redis.call("HGET", KEYS[1], @br_interval) or ARGV[2]))
end
until_ms = now + interval
redis.call("HSET", KEYS[1], @br_open, until_ms, @br_interval, interval)
redis.call("HDEL", KEYS[1], @br_probe)
redis.call("PEXPIRE", KEYS[1], interval + 60000)
return until_ms
`)

// breakerAdmitScript decides whether a call of an account whose breaker is
// or was open may go: while open, none; once the interval passed, one
// probe at a time.
//
// KEYS[1] -> the breaker hash
// ARGV[1] -> now, ms
// ARGV[2] -> how long a probe may take, ms
//
// Returns {decision, wait_ms}: decision "closed" (no breaker), "probe"
// (this call is the probe) or "wait" (for wait_ms).
var breakerAdmitScript = newScript(`
local now = tonumber(ARGV[1])
local until_ms = tonumber(redis.call("HGET", KEYS[1], @br_open) or "0")
if until_ms == 0 then
  return {"closed", 0}
end
if until_ms > now then
  return {"wait", until_ms - now}
end
local probe = tonumber(redis.call("HGET", KEYS[1], @br_probe) or "0")
if probe > now then
  return {"wait", probe - now}
end
redis.call("HSET", KEYS[1], @br_probe, now + tonumber(ARGV[2]))
return {"probe", 0}
`)

// Breaker decisions of BreakerAdmit.
const (
	BreakerClosed = "closed"
	BreakerProbe  = "probe"
	BreakerWait   = "wait"
)

// TripBreaker opens account's breaker at now for interval (doubled after
// a failed probe, up to max) and returns when it closes for a probe.
func (s *Store) TripBreaker(ctx context.Context, account string, now time.Time, interval, max time.Duration) (time.Time, error) {
	ms, err := breakerTripScript.Run(ctx, s.rdb, []string{s.keys.Breaker(account)}, now.UnixMilli(),
		interval.Milliseconds(), max.Milliseconds()).Int64()
	if err != nil {
		return time.Time{}, fmt.Errorf("opening the breaker of %s: %w", account, err)
	}
	return time.UnixMilli(ms), nil
}

// AdmitBreaker says whether a call of account may go now (BreakerClosed,
// BreakerProbe) or must wait (BreakerWait, for the duration returned).
func (s *Store) AdmitBreaker(ctx context.Context, account string, now time.Time, probe time.Duration) (string, time.Duration, error) {
	res, err := breakerAdmitScript.Run(ctx, s.rdb, []string{s.keys.Breaker(account)}, now.UnixMilli(), probe.Milliseconds()).Slice()
	if err != nil {
		return "", 0, fmt.Errorf("asking the breaker of %s: %w", account, err)
	}
	decision, _ := res[0].(string)
	wait, _ := res[1].(int64)
	return decision, time.Duration(wait) * time.Millisecond, nil
}

// CloseBreaker closes account's breaker.
func (s *Store) CloseBreaker(ctx context.Context, account string) error {
	if err := s.rdb.Del(ctx, s.keys.Breaker(account)).Err(); err != nil {
		return fmt.Errorf("closing the breaker of %s: %w", account, err)
	}
	return nil
}

// BreakerOpenUntil reads when account's breaker closes for a probe; zero
// when it is closed.
func (s *Store) BreakerOpenUntil(ctx context.Context, account string) (time.Time, error) {
	v, err := s.rdb.HGet(ctx, s.keys.Breaker(account), breakerOpenUntil).Result()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the breaker of %s: %w", account, err)
	}
	return msTime(v), nil
}
