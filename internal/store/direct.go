package store

import (
	"context"
	"fmt"
	"time"
)

// A direct job (PathDirect) has one chunk, index 0, and lives in one task:
// BeginDirect before its Push call, FinishDirect or AbortDirect after it.
// The chunk's done entry says the call's outcome was recorded; the meta's
// FieldDirectInflight says a call began whose outcome was not: a run that
// finds it set counts an ambiguous attempt on chunk 0, so the targets it
// then pushes are counted as possible duplicates.

// beginDirectScript loads a direct job and, unless it is ended, done or
// cancelled, marks its Push call as begun.
//
// KEYS[1] -> the job's meta hash (Keys.Meta)
// KEYS[2] -> the job's chunks hash (Keys.Chunks)
// KEYS[3] -> the job's done hash (Keys.Done)
// KEYS[4] -> the job's ambiguous-attempts hash (Keys.Ambiguous)
// ARGV[1] -> now, ms
// ARGV[2] -> the job keys' TTL, ms
//
// Returns {} when the job does not exist, else {meta, chunk, done,
// ambiguous, begun}: meta the meta hash as HGETALL gives it (after this
// call's changes), chunk the packed chunk 0, done its recorded outcome or
// nil, ambiguous the attempts of chunk 0 that may have been delivered, and
// begun 1 when this call marked the Push call as begun (the status is
// final, the chunk done or a cancel asked for: 0). An in-flight mark left
// by an earlier run becomes one more ambiguous attempt.
var beginDirectScript = newScript(`
local status = redis.call("HGET", KEYS[1], @status)
if not status then
  return {}
end
local done = redis.call("HGET", KEYS[3], "0")
local begun = 0
local final = status == @completed or status == @failed or status == @cancelled
if not final and not done and redis.call("HGET", KEYS[1], @cancel) ~= "1" then
  if redis.call("HEXISTS", KEYS[1], @inflight) == 1 then
    redis.call("HINCRBY", KEYS[4], "0", 1)
    redis.call("PEXPIRE", KEYS[4], ARGV[2])
  end
  redis.call("HSET", KEYS[1], @inflight, ARGV[1])
  if status == @queued then
    redis.call("HSET", KEYS[1], @status, @running)
  end
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  begun = 1
end
local amb = tonumber(redis.call("HGET", KEYS[4], "0") or "0")
return {redis.call("HGETALL", KEYS[1]), redis.call("HGET", KEYS[2], "0"), done, amb, begun}
`)

// DirectRun is what a run of a direct job's task starts from.
type DirectRun struct {
	Job *Job
	// Values are the job's targets (chunk 0).
	Values []string
	// Done is chunk 0's recorded outcome ("" when none).
	Done string
	// Ambiguous is the number of earlier attempts that may have been
	// delivered.
	Ambiguous int
	// Begun says this run marked the Push call as begun: it is to make the
	// call, then FinishDirect or AbortDirect.
	Begun bool
}

// BeginDirect loads direct job id and, unless it has ended, its outcome is
// recorded or a cancel was asked for, marks its Push call as begun at now
// (an earlier mark left unended counts as an ambiguous attempt). An
// unknown job returns ErrNotFound.
func (s *Store) BeginDirect(ctx context.Context, id string, now time.Time, ttl time.Duration) (*DirectRun, error) {
	keys := []string{s.keys.Meta(id), s.keys.Chunks(id), s.keys.Done(id), s.keys.Ambiguous(id)}
	res, err := s.runMarked(ctx, beginDirectScript, keys, now.UnixMilli(), ttl.Milliseconds()).Slice()
	if err != nil {
		return nil, fmt.Errorf("beginning direct job %s: %w", id, err)
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("direct job %s: %w", id, ErrNotFound)
	}
	r := &DirectRun{Job: parseJob(id, pairs(res[0])), Done: stringOf(res[2])}
	if r.Job == nil {
		return nil, fmt.Errorf("direct job %s: %w", id, ErrNotFound)
	}
	if packed, ok := res[1].(string); ok {
		r.Values = UnpackChunk(packed)
	}
	amb, _ := res[3].(int64)
	begun, _ := res[4].(int64)
	r.Ambiguous, r.Begun = int(amb), begun == 1
	return r, nil
}

// pairs turns an HGETALL reply inside a script's reply into a map.
func pairs(v any) map[string]string {
	flat, _ := v.([]any)
	m := make(map[string]string, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		m[stringOf(flat[i])] = stringOf(flat[i+1])
	}
	return m
}

// finishDirectScript records a direct job's outcome once, its MessageId,
// and its final status, and starts the TTL of all its keys.
//
// KEYS[1..8] -> the job's keys in Keys.JobKeys order: meta, chunks, done,
//
//	progress, messages, MessageIds, closed, ambiguous
//
// ARGV[1] -> the outcome (Outcome.String)
// ARGV[2] -> pushed
// ARGV[3] -> failed
// ARGV[4] -> the failure code ("" when none failed)
// ARGV[5] -> cancelled
// ARGV[6] -> the MessageId of the Push call ("" when none)
// ARGV[7] -> its messages-hash value (MessageValue)
// ARGV[8] -> now, ms
// ARGV[9] -> the TTL, ms
//
// Returns {counted, pushed, failed, cancelled, duplicates, status}:
// counted 1 when this call recorded the outcome (0: one was recorded
// before, and nothing is counted again), the targets it counted, those
// pushed after an ambiguous attempt, and the job's status after the call.
// The in-flight mark is cleared either way.
var finishDirectScript = newScript(`
local counted, pushed, failed, cancelled, dups = 0, 0, 0, 0, 0
if redis.call("HSETNX", KEYS[3], "0", ARGV[1]) == 1 then
  counted = 1
  pushed, failed, cancelled = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])
  if pushed > 0 and tonumber(redis.call("HGET", KEYS[8], "0") or "0") > 0 then
    dups = pushed
  end
  if pushed > 0 then redis.call("HINCRBY", KEYS[4], @p_pushed, pushed) end
  if failed > 0 then
    redis.call("HINCRBY", KEYS[4], @p_failed, failed)
    redis.call("HINCRBY", KEYS[4], @p_failed_prefix .. ARGV[4], failed)
  end
  if cancelled > 0 then redis.call("HINCRBY", KEYS[4], @p_cancelled, cancelled) end
  if dups > 0 then redis.call("HINCRBY", KEYS[4], @p_dups, dups) end
  redis.call("HINCRBY", KEYS[4], @p_chunks_done, 1)
  if ARGV[6] ~= "" then
    redis.call("HSET", KEYS[5], "0", ARGV[7])
    redis.call("HSET", KEYS[6], ARGV[6], "0")
  end
end
redis.call("HDEL", KEYS[1], @inflight)
local status = redis.call("HGET", KEYS[1], @status)
if status ~= @completed and status ~= @failed and status ~= @cancelled then
  status = @completed
  if tonumber(redis.call("HGET", KEYS[4], @p_cancelled) or "0") > 0 then
    status = @cancelled
  elseif tonumber(redis.call("HGET", KEYS[4], @p_failed) or "0") > 0 then
    status = @failed
  end
  redis.call("HSET", KEYS[1], @status, status, @finished_ms, ARGV[8])
end
for i = 1, #KEYS do
  redis.call("PEXPIRE", KEYS[i], ARGV[9])
end
return {counted, pushed, failed, cancelled, dups, status}
`)

// DirectOutcome is how a direct job's Push call ended.
type DirectOutcome struct {
	Outcome
	// MessageID is the one Push returned, recorded as the job's message 0
	// (none when nothing was pushed).
	MessageID string
	// At is when the call began: the message's creation time.
	At time.Time
}

// DirectCounted is what FinishDirect counted and the job's final status.
type DirectCounted struct {
	// Counted is false when the outcome was recorded before.
	Counted bool
	Outcome
	PossibleDuplicates int
	Status             string
}

// FinishDirect records direct job id's outcome (once), the MessageId of its
// Push call, and its final status in one call, and starts the TTL of all
// its keys.
func (s *Store) FinishDirect(ctx context.Context, id string, o DirectOutcome, now time.Time, ttl time.Duration) (DirectCounted, error) {
	value := ""
	if o.MessageID != "" {
		value = MessageValue(o.MessageID, o.At)
	}
	res, err := finishDirectScript.Run(ctx, s.rdb, s.keys.JobKeys(id), o.String(), o.Pushed, o.Failed, o.Code,
		o.Cancelled, o.MessageID, value, now.UnixMilli(), ttl.Milliseconds()).Slice()
	if err != nil {
		return DirectCounted{}, fmt.Errorf("finishing direct job %s: %w", id, err)
	}
	n := func(i int) int { v, _ := res[i].(int64); return int(v) }
	if Final(stringOf(res[5])) {
		s.Retire(ctx, id)
	}
	return DirectCounted{Counted: n(0) == 1, Outcome: Outcome{Pushed: n(1), Failed: n(2), Cancelled: n(3)},
		PossibleDuplicates: n(4), Status: stringOf(res[5])}, nil
}

// AbortDirect clears direct job id's in-flight mark after a Push call that
// surely delivered nothing (refused, throttled, never sent), so that the
// next run does not count an ambiguous attempt.
func (s *Store) AbortDirect(ctx context.Context, id string) error {
	if err := s.rdb.HDel(ctx, s.keys.Meta(id), FieldDirectInflight).Err(); err != nil {
		return fmt.Errorf("ending the Push call of direct job %s: %w", id, err)
	}
	return nil
}

// setPathScript sets a job's path.
//
// KEYS[1] -> the job's meta hash
// ARGV[1] -> the path (PathDirect, PathContinuous)
//
// Returns 1, or 0 when the job does not exist.
var setPathScript = newScript(`
if redis.call("EXISTS", KEYS[1]) == 0 then
  return 0
end
redis.call("HSET", KEYS[1], @path, ARGV[1])
return 1
`)

// SetPath records that job id takes path: a worker with the direct path
// off sends a direct job on the continuous path. An unknown job returns
// ErrNotFound.
func (s *Store) SetPath(ctx context.Context, id, path string) error {
	n, err := setPathScript.Run(ctx, s.rdb, []string{s.keys.Meta(id)}, path).Int()
	if err != nil {
		return fmt.Errorf("setting the path of job %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("setting the path of job %s: %w", id, ErrNotFound)
	}
	return nil
}
