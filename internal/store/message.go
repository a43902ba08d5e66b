package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// MessageValue is the value of a job's message n in content mode: its
// current MessageId, when it was created, and the Redis epoch it was
// recorded in (SetMessage adds it).
func MessageValue(mid string, created time.Time) string {
	return mid + "|" + strconv.FormatInt(created.UnixMilli(), 10)
}

// ParseMessageValue reverses MessageValue and returns the epoch too: the
// run ID of the Redis server that recorded it ("" for values recorded
// before epochs were).
func ParseMessageValue(v string) (mid string, created time.Time, epoch string) {
	mid, rest, _ := strings.Cut(v, "|")
	ms, epoch, _ := strings.Cut(rest, "|")
	n, _ := strconv.ParseInt(ms, 10, 64)
	return mid, time.UnixMilli(n), epoch
}

// epochLua sets the Lua local epoch to the run ID of the Redis server the
// script runs on: a restart or a failover changes it, and either may have
// lost the last writes (AOF everysec, asynchronous replicas). A server
// that does not answer INFO server (the embedded one of cpush dev and the
// tests' fallback, which never restarts under a worker) has epoch "".
const epochLua = `local info = redis.pcall("INFO", "server")
if type(info) ~= "string" then info = "" end
local epoch = string.match(info, "run_id:(%x+)") or ""
`

// ReadMessage reads the value of job id's message n; "" when it has none.
func (s *Store) ReadMessage(ctx context.Context, id string, n int) (string, error) {
	v, err := s.rdb.HGet(ctx, s.keys.Messages(id), strconv.Itoa(n)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading message %d of job %s: %w", n, id, err)
	}
	return v, nil
}

// LockMessage takes the lock of job id's message n for ttl with token;
// false when another holder has it.
func (s *Store) LockMessage(ctx context.Context, id string, n int, token string, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.keys.MessageLock(id, n), token, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("locking message %d of job %s: %w", n, id, err)
	}
	return ok, nil
}

// unlockScript deletes a lock if this holder still has it.
//
// KEYS[1] -> the lock (Keys.MessageLock)
// ARGV[1] -> the holder's token
//
// Returns 1 when deleted.
var unlockScript = newScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
`)

// UnlockMessage releases the lock of job id's message n if token holds it.
func (s *Store) UnlockMessage(ctx context.Context, id string, n int, token string) error {
	if err := unlockScript.Run(ctx, s.rdb, []string{s.keys.MessageLock(id, n)}, token).Err(); err != nil {
		return fmt.Errorf("unlocking message %d of job %s: %w", n, id, err)
	}
	return nil
}

// setMessageScript records a message's new MessageId, with the epoch.
//
// KEYS[1] -> the job's messages hash (Keys.Messages)
// KEYS[2] -> the job's MessageIds hash (Keys.MessageIDs)
// ARGV[1] -> the message number
// ARGV[2] -> its value (MessageValue)
// ARGV[3] -> the MessageId
// ARGV[4] -> the job keys' TTL, ms
//
// Returns the value recorded: ARGV[2], "|", the epoch.
var setMessageScript = newScript(epochLua + `
local value = ARGV[2] .. "|" .. epoch
redis.call("HSET", KEYS[1], ARGV[1], value)
redis.call("HSET", KEYS[2], ARGV[3], ARGV[1])
redis.call("PEXPIRE", KEYS[1], ARGV[4])
redis.call("PEXPIRE", KEYS[2], ARGV[4])
return value
`)

// epochScript returns the epoch of the server that holds KEYS[1].
//
// KEYS[1] -> any key: the script runs where it lives (Redis Cluster)
//
// Returns the run ID.
var epochScript = newScript(epochLua + `return epoch`)

// SetMessage records mid, created at created, as job id's message n.
func (s *Store) SetMessage(ctx context.Context, id string, n int, mid string, created time.Time, ttl time.Duration) (string, error) {
	keys := []string{s.keys.Messages(id), s.keys.MessageIDs(id)}
	v, err := setMessageScript.Run(ctx, s.rdb, keys, n, MessageValue(mid, created), mid, ttl.Milliseconds()).Text()
	if err != nil {
		return "", fmt.Errorf("recording MessageId %s of job %s: %w", mid, id, err)
	}
	return v, nil
}

// dropMessageScript forgets a message's MessageId so that the next chunk
// creates a fresh one (rollover), unless another worker already did.
//
// KEYS[1] -> the job's messages hash
// ARGV[1] -> the message number
// ARGV[2] -> the value that was refused (MessageValue)
//
// Returns 1 when the value was dropped, 0 when the message holds another.
var dropMessageScript = newScript(`
if redis.call("HGET", KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call("HDEL", KEYS[1], ARGV[1])
  return 1
end
return 0
`)

// DropMessage forgets job id's message n if it still holds value.
func (s *Store) DropMessage(ctx context.Context, id string, n int, value string) (bool, error) {
	ok, err := dropMessageScript.Run(ctx, s.rdb, []string{s.keys.Messages(id)}, n, value).Int()
	if err != nil {
		return false, fmt.Errorf("rolling over message %d of job %s: %w", n, id, err)
	}
	return ok == 1, nil
}

// OpenMessageIDs returns the MessageIds job id created that finishing has
// not closed yet.
func (s *Store) OpenMessageIDs(ctx context.Context, id string) ([]string, error) {
	var mids *redis.StringSliceCmd
	var closed *redis.MapStringStringCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		mids = p.HKeys(ctx, s.keys.MessageIDs(id))
		closed = p.HGetAll(ctx, s.keys.Closed(id))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the MessageIds of job %s: %w", id, err)
	}
	var open []string
	for _, mid := range mids.Val() {
		if _, ok := closed.Val()[mid]; !ok {
			open = append(open, mid)
		}
	}
	return open, nil
}

// CloseMessage records how finishing left MessageId mid of job id
// (ClosedCompleted, ClosedGone): it is not called again.
func (s *Store) CloseMessage(ctx context.Context, id, mid, how string, ttl time.Duration) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.keys.Closed(id), mid, how)
		p.PExpire(ctx, s.keys.Closed(id), ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording MessageId %s of job %s as %s: %w", mid, id, how, err)
	}
	return nil
}

// StartFinish records the first finish attempt of job id at now and
// returns when the first one started.
func (s *Store) StartFinish(ctx context.Context, id string, now time.Time) (time.Time, error) {
	var get *redis.StringCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSetNX(ctx, s.keys.Meta(id), FieldFinishStarted, now.UnixMilli())
		get = p.HGet(ctx, s.keys.Meta(id), FieldFinishStarted)
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("starting to finish job %s: %w", id, err)
	}
	return msTime(get.Val()), nil
}

// finalizeScript sets a finishing job's final status once and starts the
// TTL of all its keys.
//
// KEYS[1..n] -> the job's keys, meta first (Keys.JobKeys)
// ARGV[1] -> the final status
// ARGV[2] -> now, ms
// ARGV[3] -> the TTL, ms
//
// Returns the job's status after the call.
var finalizeScript = newScript(`
local status = redis.call("HGET", KEYS[1], @status)
if status == @completed or status == @failed or status == @cancelled then
  return status
end
redis.call("HSET", KEYS[1], @status, ARGV[1], @finished_ms, ARGV[2])
for i = 1, #KEYS do
  redis.call("PEXPIRE", KEYS[i], ARGV[3])
end
return ARGV[1]
`)

// Finalize sets job id's final status once (a second call keeps the
// first), drops it from the active jobs, and returns the status it has.
func (s *Store) Finalize(ctx context.Context, id, status string, now time.Time, ttl time.Duration) (string, error) {
	got, err := finalizeScript.Run(ctx, s.rdb, s.keys.JobKeys(id), status, now.UnixMilli(), ttl.Milliseconds()).Text()
	if err != nil {
		return "", fmt.Errorf("finalizing job %s: %w", id, err)
	}
	s.Retire(ctx, id)
	return got, nil
}
