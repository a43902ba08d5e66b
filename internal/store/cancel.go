package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// cancelQueuedScript ends a queued job cancelled: one whose plan task
// will never run (the producer deleted it), so that no worker will ever
// count its targets.
//
// KEYS[1] -> the job's meta hash (Keys.Meta)
// KEYS[2] -> the job's progress hash (Keys.Progress)
// KEYS[3..] -> the job's other keys (Keys.JobKeys)
// ARGV[1] -> now, ms
// ARGV[2] -> the job keys' TTL, ms
//
// Returns the job's status after the call, nil when it does not exist.
// Unless the status was queued, nothing is written; else every target is
// counted cancelled, every chunk done, the status is cancelled and the
// TTL of every key starts.
var cancelQueuedScript = newScript(`
local status = redis.call("HGET", KEYS[1], @status)
if not status then
  return false
end
if status ~= @queued then
  return status
end
local unique = redis.call("HGET", KEYS[1], @unique) or "0"
local chunks = redis.call("HGET", KEYS[1], @chunks) or "0"
redis.call("HSET", KEYS[1], @status, @cancelled, @finished_ms, ARGV[1], @cancel, "1")
redis.call("HSET", KEYS[2], @p_cancelled, unique, @p_chunks_done, chunks)
for i = 1, #KEYS do
  redis.call("PEXPIRE", KEYS[i], ARGV[2])
end
return @cancelled
`)

// CancelQueued ends job id cancelled if it is still queued, and returns
// its status; an unknown job returns ErrNotFound. Call it only once its
// plan task can no longer run.
func (s *Store) CancelQueued(ctx context.Context, id string, now time.Time, ttl time.Duration) (string, error) {
	keys := []string{s.keys.Meta(id), s.keys.Progress(id)}
	for _, k := range s.keys.JobKeys(id) {
		if k != keys[0] && k != keys[1] {
			keys = append(keys, k)
		}
	}
	status, err := cancelQueuedScript.Run(ctx, s.rdb, keys, now.UnixMilli(), ttl.Milliseconds()).Text()
	if errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("cancelling queued job %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("cancelling queued job %s: %w", id, err)
	}
	if Final(status) {
		s.Retire(ctx, id)
	}
	return status, nil
}
