package store

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// reserveScript reserves chunk attempts' pushes against a MessageId's
// limit, in order.
//
// KEYS[1] -> the MessageId's quota hash (Keys.Quota)
// ARGV[1] -> the limit
// ARGV[2] -> the unit: UnitTargets (a call costs its values) or UnitCalls (1)
// ARGV[3] -> the message's expiry, ms since the epoch (kept from the first call)
// ARGV[4] -> now, ms
// ARGV[5] -> the safety margin before expiry, ms
// ARGV[6] -> "1" in message-id mode: a part of a chunk may be granted, and
//
//	epochs are not checked (content mode checks them: a refusal rolls over)
//
// ARGV[7] -> the epoch the MessageId was recorded in ("": not compared)
// ARGV[8..] -> per attempt, two values: its reference (ReservationRef) and
//
//	its number of values
//
// Returns {reason, grant1, grant2, ...}: each grant is the number of the
// attempt's values that may be pushed (all, fewer when partial, or 0);
// reason is "" or why the first attempt granted 0 got nothing
// (ReasonExpired, ReasonOverLimit, ReasonNewEpoch); every attempt after it
// gets 0 too. An attempt that already holds a reservation gets the same
// grant again, so a retried chunk never counts twice. The hash expires an
// hour after the message does.
//
// Epochs are checked here, atomically with the count, and not only when a
// run loads the MessageId: a run that loaded it from a master about to be
// replaced, and reserves on its successor, would otherwise count on a hash
// that lacks what the old master granted since the last replication, and
// push past the limit. The hash keeps the epoch of its first reservation,
// and a reservation in another is refused; the MessageId's own epoch is
// compared too where its record lives on the same server (not on Redis
// Cluster, whose shards each have theirs), which covers a hash that the
// old master created and lost.
var reserveScript = newScript(`
if ARGV[6] ~= "1" then
` + epochLua + `
  if epoch ~= "" then
    local was = redis.call("HGET", KEYS[1], @q_epoch)
    if (was and was ~= epoch) or (ARGV[7] ~= "" and ARGV[7] ~= epoch) then
      local out = {@r_new_epoch}
      for i = 8, #ARGV, 2 do out[#out + 1] = 0 end
      return out
    end
    redis.call("HSETNX", KEYS[1], @q_epoch, epoch)
  end
end
redis.call("HSETNX", KEYS[1], @q_expires, ARGV[3])
local expires = tonumber(redis.call("HGET", KEYS[1], @q_expires))
redis.call("PEXPIREAT", KEYS[1], expires + 3600000)
local limit, calls, partial = tonumber(ARGV[1]), ARGV[2] == @unit_calls, ARGV[6] == "1"
local expired = tonumber(ARGV[4]) + tonumber(ARGV[5]) >= expires
local used = tonumber(redis.call("HGET", KEYS[1], @q_used) or "0")
local out = {""}
for i = 8, #ARGV, 2 do
  local ref = @q_ref_prefix .. ARGV[i]
  local held = redis.call("HGET", KEYS[1], ref)
  local grant = 0
  if held then
    grant = tonumber(held)
  elseif out[1] == "" then
    local n = tonumber(ARGV[i + 1])
    local cost = n
    if calls then cost = 1 end
    if expired then
      out[1] = @r_expired
    elseif used + cost <= limit then
      grant = n
    elseif partial and not calls and used < limit then
      grant, cost = limit - used, limit - used
    else
      out[1] = @r_over_limit
    end
    if grant > 0 then
      used = used + cost
      redis.call("HINCRBY", KEYS[1], @q_used, cost)
      redis.call("HSET", KEYS[1], ref, grant)
      if grant < n then out[1] = @r_over_limit end
    end
  end
  out[#out + 1] = grant
end
return out
`)

// Limits are a MessageId's rules for a reservation.
type Limits struct {
	Limit int
	Unit  string // UnitTargets or UnitCalls
}

// Attempt is one chunk attempt to reserve for.
type Attempt struct {
	Ref    string // ReservationRef
	Values int
}

// ReservationRef names a reservation: chunk index of job id, and the
// number of earlier attempts of it that may have been delivered (each of
// those may have counted at the service, so a retry reserves anew).
func ReservationRef(id string, index, ambiguous int) string {
	ref := fmt.Sprintf("%s:%d", id, index)
	if ambiguous > 0 {
		ref += fmt.Sprintf("#%d", ambiguous)
	}
	return ref
}

// Reserve reserves attempts in order against the MessageId's limit and
// expiry and returns each one's grant, and why the first one granted less
// than its values got less ("" when all were granted).
//
// In message-id mode a part of a chunk may be granted. In content mode,
// which can roll over, nothing is granted, with ReasonNewEpoch, on a
// MessageId whose reservations began under another Redis epoch, or
// recorded in another (epoch, from ParseMessageValue; "" when unknown).
func (s *Store) Reserve(ctx context.Context, appKey int64, mid string, messageIDMode bool, epoch string, l Limits,
	expires, now time.Time, margin time.Duration, attempts []Attempt) ([]int, string, error) {
	if _, cluster := s.rdb.(*redis.ClusterClient); cluster {
		epoch = "" // the record's shard is not the hash's
	}
	args := make([]any, 0, 7+2*len(attempts))
	args = append(args, l.Limit, l.Unit, expires.UnixMilli(), now.UnixMilli(), margin.Milliseconds(), boolArg(messageIDMode), epoch)
	for _, a := range attempts {
		args = append(args, a.Ref, a.Values)
	}
	res, err := reserveScript.Run(ctx, s.rdb, []string{s.keys.Quota(appKey, mid)}, args...).Slice()
	if err != nil {
		return nil, "", fmt.Errorf("reserving pushes on MessageId %s: %w", mid, err)
	}
	reason, _ := res[0].(string)
	grants := make([]int, len(attempts))
	for i := range grants {
		n, _ := res[i+1].(int64)
		grants[i] = int(n)
	}
	return grants, reason, nil
}

func boolArg(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// releaseScript gives back reservations whose calls surely sent nothing.
//
// KEYS[1] -> the MessageId's quota hash
// ARGV[1] -> the unit
// ARGV[2..] -> the reservations' references
//
// Returns the number of values released.
var releaseScript = newScript(`
local released = 0
for i = 2, #ARGV do
  local ref = @q_ref_prefix .. ARGV[i]
  local held = redis.call("HGET", KEYS[1], ref)
  if held then
    local cost = tonumber(held)
    if ARGV[1] == @unit_calls then cost = 1 end
    redis.call("HINCRBY", KEYS[1], @q_used, -cost)
    redis.call("HDEL", KEYS[1], ref)
    released = released + tonumber(held)
  end
end
return released
`)

// Release gives back the reservations refs on a MessageId and returns the
// number of values released.
func (s *Store) Release(ctx context.Context, appKey int64, mid, unit string, refs ...string) (int, error) {
	args := make([]any, 0, 1+len(refs))
	args = append(args, unit)
	for _, r := range refs {
		args = append(args, r)
	}
	n, err := releaseScript.Run(ctx, s.rdb, []string{s.keys.Quota(appKey, mid)}, args...).Int()
	if err != nil {
		return 0, fmt.Errorf("releasing reservations on MessageId %s: %w", mid, err)
	}
	return n, nil
}

// QuotaUsed reads the pushes counted against a MessageId.
func (s *Store) QuotaUsed(ctx context.Context, appKey int64, mid string) (int, error) {
	n, err := s.rdb.HGet(ctx, s.keys.Quota(appKey, mid), quotaUsed).Int()
	if err != nil {
		return 0, fmt.Errorf("reading the pushes of MessageId %s: %w", mid, err)
	}
	return n, nil
}
