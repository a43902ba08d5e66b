package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Range is what a chunk range task reads of its job in one round trip.
type Range struct {
	Job    *Job
	Chunks []RangeChunk
	// Message is the value of the range's message in content mode
	// (ParseMessageValue), or "" when it has none yet.
	Message string
	// Epoch is the run ID of the Redis server that holds the job now.
	Epoch string
}

// RangeChunk is one chunk of a range.
type RangeChunk struct {
	Index int
	Done  bool
	// Values are the chunk's targets (nil when it is done).
	Values []string
	// Ambiguous is the number of earlier attempts that may have been
	// delivered although they failed.
	Ambiguous int
}

// LoadRange reads job id, the chunks first to first+count-1 that are not
// done, their ambiguous attempts, and message n's value (n < 0: none).
func (s *Store) LoadRange(ctx context.Context, id string, first, count, n int) (*Range, error) {
	fields := make([]string, count)
	for i := range fields {
		fields[i] = strconv.Itoa(first + i)
	}
	var meta *redis.MapStringStringCmd
	var done, chunks, amb *redis.SliceCmd
	var msg *redis.StringCmd
	var epoch *redis.Cmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		epoch = epochScript.Eval(ctx, p, []string{s.keys.Meta(id)})
		meta = p.HGetAll(ctx, s.keys.Meta(id))
		done = p.HMGet(ctx, s.keys.Done(id), fields...)
		chunks = p.HMGet(ctx, s.keys.Chunks(id), fields...)
		amb = p.HMGet(ctx, s.keys.Ambiguous(id), fields...)
		if n >= 0 {
			msg = p.HGet(ctx, s.keys.Messages(id), strconv.Itoa(n))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("loading chunks %d to %d of job %s: %w", first, first+count-1, id, err)
	}
	j := parseJob(id, meta.Val())
	if j == nil {
		return nil, fmt.Errorf("chunks of job %s: %w", id, ErrNotFound)
	}
	r := &Range{Job: j, Chunks: make([]RangeChunk, count)}
	r.Epoch, _ = epoch.Text()
	if msg != nil {
		r.Message = msg.Val()
	}
	for i := range count {
		c := RangeChunk{Index: first + i, Done: done.Val()[i] != nil}
		c.Ambiguous, _ = strconv.Atoi(stringOf(amb.Val()[i]))
		if !c.Done {
			packed, ok := chunks.Val()[i].(string)
			if !ok {
				return nil, fmt.Errorf("chunk %d of job %s: %w", c.Index, id, ErrNotFound)
			}
			c.Values = UnpackChunk(packed)
		}
		r.Chunks[i] = c
	}
	return r, nil
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// finishChunksScript records chunk outcomes, each once, and counts them.
//
// KEYS[1] -> the job's done hash (Keys.Done)
// KEYS[2] -> the job's progress hash (Keys.Progress)
// KEYS[3] -> the job's meta hash (Keys.Meta)
// KEYS[4] -> the job's ambiguous-attempts hash (Keys.Ambiguous)
// KEYS[5] -> the job's series hash (Keys.Series): the pushed targets are
//
//	counted at the Redis server's time (luaSample)
//
// ARGV[1] -> the job keys' TTL, ms
// ARGV[2..] -> per chunk, six values: index, outcome (Outcome.String),
//
//	pushed, failed, failure code ("" when none failed), cancelled
//
// Returns {counted, pushed, failed, cancelled, duplicates, last, cancel}:
// the chunks and targets counted by this call (a chunk done before is not
// counted again); duplicates, the targets pushed by chunks with an earlier
// ambiguous attempt, each target at most once; last, 1 for the one call
// that finishes the job's final chunk (the job's status becomes
// finishing); cancel, 1 when a cancel was asked for.
var finishChunksScript = newScript(luaSample + `
local counted, pushed, failed, cancelled, dups = 0, 0, 0, 0, 0
local before = tonumber(redis.call("HGET", KEYS[2], @p_chunks_done) or "0")
for i = 2, #ARGV, 6 do
  local index = ARGV[i]
  if redis.call("HSETNX", KEYS[1], index, ARGV[i + 1]) == 1 then
    counted = counted + 1
    local p, f, c = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]), tonumber(ARGV[i + 5])
    pushed, failed, cancelled = pushed + p, failed + f, cancelled + c
    if p > 0 and tonumber(redis.call("HGET", KEYS[4], index) or "0") > 0 then
      dups = dups + p
    end
    if f > 0 then
      redis.call("HINCRBY", KEYS[2], @p_failed_prefix .. ARGV[i + 4], f)
    end
  end
end
if counted > 0 then
  if pushed > 0 then redis.call("HINCRBY", KEYS[2], @p_pushed, pushed) end
  if failed > 0 then redis.call("HINCRBY", KEYS[2], @p_failed, failed) end
  if cancelled > 0 then redis.call("HINCRBY", KEYS[2], @p_cancelled, cancelled) end
  if dups > 0 then redis.call("HINCRBY", KEYS[2], @p_dups, dups) end
  redis.call("HINCRBY", KEYS[2], @p_chunks_done, counted)
  sample(KEYS[5], pushed, ARGV[1])
end
for i = 1, 4 do
  redis.call("PEXPIRE", KEYS[i], ARGV[1])
end
local last = 0
local total = tonumber(redis.call("HGET", KEYS[3], @chunks) or "0")
if counted > 0 and before < total and before + counted >= total then
  last = 1
  redis.call("HSET", KEYS[3], @status, @finishing)
end
local cancel = 0
if redis.call("HGET", KEYS[3], @cancel) == "1" then cancel = 1 end
return {counted, pushed, failed, cancelled, dups, last, cancel}
`)

// ChunkOutcome is the outcome of one chunk.
type ChunkOutcome struct {
	Index int
	Outcome
}

// Counted is what FinishChunks counted.
type Counted struct {
	Chunks int
	// Outcome totals what was counted.
	Outcome
	// PossibleDuplicates are the targets pushed again after an attempt
	// that may have been delivered.
	PossibleDuplicates int
	// Last is true for the one call that finished the job's final chunk.
	Last bool
	// Cancel says a cancel was asked for.
	Cancel bool
}

// FinishChunks records the outcomes of job id's chunks, each once, and
// renews the job keys' TTL.
func (s *Store) FinishChunks(ctx context.Context, id string, outs []ChunkOutcome, ttl time.Duration) (Counted, error) {
	keys := []string{s.keys.Done(id), s.keys.Progress(id), s.keys.Meta(id), s.keys.Ambiguous(id), s.keys.Series(id)}
	args := make([]any, 0, 1+6*len(outs))
	args = append(args, ttl.Milliseconds())
	for _, o := range outs {
		args = append(args, o.Index, o.String(), o.Pushed, o.Failed, o.Code, o.Cancelled)
	}
	res, err := finishChunksScript.Run(ctx, s.rdb, keys, args...).Int64Slice()
	if err != nil {
		return Counted{}, fmt.Errorf("recording %d chunks of job %s: %w", len(outs), id, err)
	}
	return Counted{Chunks: int(res[0]), Outcome: Outcome{Pushed: int(res[1]), Failed: int(res[2]), Cancelled: int(res[3])},
		PossibleDuplicates: int(res[4]), Last: res[5] == 1, Cancel: res[6] == 1}, nil
}

// MarkAmbiguous records an attempt of job id's chunk that may have been
// delivered although it failed.
func (s *Store) MarkAmbiguous(ctx context.Context, id string, index int) error {
	if err := s.rdb.HIncrBy(ctx, s.keys.Ambiguous(id), strconv.Itoa(index), 1).Err(); err != nil {
		return fmt.Errorf("recording an ambiguous attempt of chunk %d of job %s: %w", index, id, err)
	}
	return nil
}
