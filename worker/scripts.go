package worker

import "github.com/redis/go-redis/v9"

// reserveScript reserves a chunk's pushes against a MessageId's limit.
//
// KEYS[1] -> the MessageId's quota hash (jobs.Keys.Quota)
// ARGV[1] -> the chunk's reference, "<job>:<index>"
// ARGV[2] -> n, the chunk's target count
// ARGV[3] -> the limit
// ARGV[4] -> the unit: "targets" (a call costs n) or "calls" (a call costs 1)
// ARGV[5] -> the message's expiry, ms since the epoch (kept from the first call)
// ARGV[6] -> now, ms
// ARGV[7] -> the safety margin before expiry, ms
// ARGV[8] -> "1" if a part of the chunk may be granted (message-id mode)
//
// Returns {granted, reason}: granted > 0 is the number of targets that may
// be pushed (n, or fewer when partial); 0 with reason "MessageExpired" or
// "MessageLimitExceeded". A chunk that already holds a reservation gets the
// same grant again, so a retried chunk never counts twice. The hash has
// "used", "expires_ms" and one "r:<ref>" field per reservation; it expires an
// hour after the message does.
var reserveScript = redis.NewScript(`
local held = redis.call("HGET", KEYS[1], "r:" .. ARGV[1])
if held then
  return {tonumber(held), ""}
end
redis.call("HSETNX", KEYS[1], "expires_ms", ARGV[5])
local expires = tonumber(redis.call("HGET", KEYS[1], "expires_ms"))
redis.call("PEXPIREAT", KEYS[1], expires + 3600000)
if tonumber(ARGV[6]) + tonumber(ARGV[7]) >= expires then
  return {0, "MessageExpired"}
end
local n = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local used = tonumber(redis.call("HGET", KEYS[1], "used") or "0")
local grant = n
local cost = n
if ARGV[4] == "calls" then
  cost = 1
  if used + 1 > limit then grant = 0 end
elseif used + n > limit then
  grant = 0
  if ARGV[8] == "1" then grant = limit - used end
  cost = grant
end
if grant <= 0 then
  return {0, "MessageLimitExceeded"}
end
redis.call("HINCRBY", KEYS[1], "used", cost)
redis.call("HSET", KEYS[1], "r:" .. ARGV[1], grant)
return {grant, ""}
`)

// releaseScript gives back a reservation whose call surely sent nothing.
//
// KEYS[1] -> the MessageId's quota hash
// ARGV[1] -> the chunk's reference
// ARGV[2] -> the unit
//
// Returns the number of targets released (0 if there was no reservation).
var releaseScript = redis.NewScript(`
local held = redis.call("HGET", KEYS[1], "r:" .. ARGV[1])
if not held then
  return 0
end
local cost = tonumber(held)
if ARGV[2] == "calls" then cost = 1 end
redis.call("HINCRBY", KEYS[1], "used", -cost)
redis.call("HDEL", KEYS[1], "r:" .. ARGV[1])
return tonumber(held)
`)

// finishChunkScript records a chunk's outcome once and counts it.
//
// KEYS[1] -> the job's done hash
// KEYS[2] -> the job's progress hash
// KEYS[3] -> the job's meta hash
// KEYS[4] -> the job's ambiguous-attempts hash
// ARGV[1] -> the chunk index
// ARGV[2] -> the outcome, stored in done (e.g. "pushed", "failed:<code>")
// ARGV[3] -> targets pushed
// ARGV[4] -> targets failed
// ARGV[5] -> the failure code ("" when none failed)
// ARGV[6] -> targets cancelled
// ARGV[7] -> the job keys' TTL, ms
//
// Returns {already, last, duplicates}: already is 1 when the chunk was done
// before (nothing is counted again); last is 1 for the one call that
// finishes the job's final chunk, which sets the job's status to
// "finishing"; duplicates is the number of possible duplicates counted:
// targets pushed after ambiguous attempts.
var finishChunkScript = redis.NewScript(`
if redis.call("HEXISTS", KEYS[1], ARGV[1]) == 1 then
  return {1, 0, 0}
end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
local pushed, failed, cancelled = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[6])
local dups = 0
if pushed > 0 then
  redis.call("HINCRBY", KEYS[2], "pushed", pushed)
  dups = pushed * tonumber(redis.call("HGET", KEYS[4], ARGV[1]) or "0")
  if dups > 0 then
    redis.call("HINCRBY", KEYS[2], "possible_duplicates", dups)
  end
end
if failed > 0 then
  redis.call("HINCRBY", KEYS[2], "failed", failed)
  redis.call("HINCRBY", KEYS[2], "failed:" .. ARGV[5], failed)
end
if cancelled > 0 then
  redis.call("HINCRBY", KEYS[2], "cancelled", cancelled)
end
local done = redis.call("HINCRBY", KEYS[2], "chunks_done", 1)
for i = 1, 4 do
  redis.call("PEXPIRE", KEYS[i], ARGV[7])
end
if done == tonumber(redis.call("HGET", KEYS[3], "chunks")) then
  redis.call("HSET", KEYS[3], "status", "finishing")
  return {0, 1, dups}
end
return {0, 0, dups}
`)

// setSlotScript records a slot's new MessageId.
//
// KEYS[1] -> the job's slots hash
// KEYS[2] -> the job's MessageIds hash
// ARGV[1] -> the slot
// ARGV[2] -> the slot's value, "<mid>|<created ms>"
// ARGV[3] -> the MessageId
// ARGV[4] -> the job keys' TTL, ms
//
// Returns 1.
var setSlotScript = redis.NewScript(`
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
redis.call("HSET", KEYS[2], ARGV[3], ARGV[1])
redis.call("PEXPIRE", KEYS[1], ARGV[4])
redis.call("PEXPIRE", KEYS[2], ARGV[4])
return 1
`)

// dropSlotScript forgets a slot's MessageId so that the next chunk creates
// a fresh one (rollover), unless another worker already did.
//
// KEYS[1] -> the job's slots hash
// ARGV[1] -> the slot
// ARGV[2] -> the slot's value that was refused, "<mid>|<created ms>"
//
// Returns 1 when the value was dropped, 0 when the slot holds another.
var dropSlotScript = redis.NewScript(`
if redis.call("HGET", KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call("HDEL", KEYS[1], ARGV[1])
  return 1
end
return 0
`)

// unlockScript deletes a lock if this holder still has it.
//
// KEYS[1] -> the lock
// ARGV[1] -> the holder's token
//
// Returns 1 when deleted.
var unlockScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
`)

// finalizeScript sets a finishing job's final status once and starts the
// TTL of all its keys.
//
// KEYS[1..n] -> the job's keys, meta first
// ARGV[1] -> the final status
// ARGV[2] -> now, ms
// ARGV[3] -> the TTL, ms
//
// Returns the job's status after the call.
var finalizeScript = redis.NewScript(`
local status = redis.call("HGET", KEYS[1], "status")
if status == "completed" or status == "failed" or status == "cancelled" then
  return status
end
redis.call("HSET", KEYS[1], "status", ARGV[1], "finished_ms", ARGV[2])
for i = 1, #KEYS do
  redis.call("PEXPIRE", KEYS[i], ARGV[3])
end
return ARGV[1]
`)
