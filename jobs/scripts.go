package jobs

import "github.com/redis/go-redis/v9"

// claimScript claims a job ID for staging.
//
// KEYS[1] -> the job's meta hash
// ARGV[1] -> the staging status
// ARGV[2] -> now, ms
// ARGV[3] -> the staging TTL, ms
//
// Returns 1 when the ID was free (meta now holds the status and creation
// time, expiring after the staging TTL), 0 when a job already has it.
var claimScript = redis.NewScript(`
if redis.call("EXISTS", KEYS[1]) == 1 then
  return 0
end
redis.call("HSET", KEYS[1], "status", ARGV[1], "created_ms", ARGV[2])
redis.call("PEXPIRE", KEYS[1], ARGV[3])
return 1
`)

// cancelScript asks for a job's cancellation.
//
// KEYS[1] -> the job's meta hash
//
// Returns nil when the job does not exist, else its status; unless that
// status is final, the meta's cancel field is set to 1.
var cancelScript = redis.NewScript(`
local status = redis.call("HGET", KEYS[1], "status")
if not status then
  return false
end
if status ~= "completed" and status ~= "failed" and status ~= "cancelled" then
  redis.call("HSET", KEYS[1], "cancel", "1")
end
return status
`)
