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
	// Packed holds the chunk's targets as the chunks hash stores them (""
	// when it is done): a range keeps its chunks packed, one string each
	// without pointers for the garbage collector to scan, and Values splits
	// a chunk when its call goes out.
	Packed string
	// Len is the number of the chunk's targets (0 when it is done).
	Len int
	// Ambiguous is the number of earlier attempts that may have been
	// delivered although they failed.
	Ambiguous int
	// InFlight says an earlier attempt's call began and its end was never
	// recorded: its worker died, or lost Redis, while the call was out. It
	// may have been delivered (PromoteInFlight).
	InFlight bool
}

// LoadRange reads job id, the chunks first to first+count-1 that are not
// done, their ambiguous attempts, and message n's value (n < 0: none).
func (s *Store) LoadRange(ctx context.Context, id string, first, count, n int) (*Range, error) {
	fields := make([]string, count)
	for i := range fields {
		fields[i] = strconv.Itoa(first + i)
	}
	var meta *redis.MapStringStringCmd
	var done, chunks, amb, inflight *redis.SliceCmd
	var msg *redis.StringCmd
	var epoch *redis.Cmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		epoch = epochScript.Eval(ctx, p, []string{s.keys.Meta(id)})
		meta = p.HGetAll(ctx, s.keys.Meta(id))
		done = p.HMGet(ctx, s.keys.Done(id), fields...)
		chunks = p.HMGet(ctx, s.keys.Chunks(id), fields...)
		amb = p.HMGet(ctx, s.keys.Ambiguous(id), fields...)
		inflight = p.HMGet(ctx, s.keys.Ambiguous(id), inflightFields(first, count)...)
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
		c.InFlight = inflight.Val()[i] != nil
		if !c.Done {
			packed, ok := chunks.Val()[i].(string)
			if !ok {
				return nil, fmt.Errorf("chunk %d of job %s: %w", c.Index, id, ErrNotFound)
			}
			c.Packed, c.Len = packed, strings.Count(packed, chunkSep)+1
		}
		r.Chunks[i] = c
	}
	return r, nil
}

// Values are chunk c's targets (nil when it is done).
func (c RangeChunk) Values() []string {
	if c.Len == 0 {
		return nil
	}
	return UnpackChunk(c.Packed)
}

// inflightFields are the in-flight markers' fields of chunks first to
// first+count-1 in the ambiguous-attempts hash.
func inflightFields(first, count int) []string {
	out := make([]string, count)
	for i := range out {
		out[i] = inflightPrefix + strconv.Itoa(first+i)
	}
	return out
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
// ARGV[2] -> the chunk whose call goes out next, marked in flight ("": none)
// ARGV[3] -> the marking run's token (MarkInFlight)
// ARGV[4] -> chunk next's ambiguous attempts as the run loaded them
// ARGV[5] -> ms: the keys' TTL is renewed when the meta hash's is shorter
//
//	than the TTL by more than this (ttlRenewSlack)
//
// ARGV[6..] -> per chunk, six values: index, outcome (Outcome.String),
//
//	pushed, failed, failure code ("" when none failed), cancelled
//
// Each chunk's in-flight marker is cleared. Returns {counted, pushed, failed, cancelled, duplicates, last, cancel, busy}:
// the chunks and targets counted by this call (a chunk done before is not
// counted again); duplicates, the targets pushed by chunks with an earlier
// ambiguous attempt, each target at most once; last, 1 for the one call
// that finishes the job's final chunk (the job's status becomes
// finishing); cancel, 1 when a cancel was asked for; busy, 1 when another
// run holds chunk next's marker or recorded its end (it was not marked).
var finishChunksScript = newScript(luaSample + luaMark + `
local counted, pushed, failed, cancelled, dups = 0, 0, 0, 0, 0
local before = tonumber(redis.call("HGET", KEYS[2], @p_chunks_done) or "0")
local busy = 0
if ARGV[2] ~= "" and not mark(KEYS[4], KEYS[1], ARGV[2], ARGV[3], ARGV[4]) then
  busy = 1
end
local renew = redis.call("PTTL", KEYS[3]) < tonumber(ARGV[1]) - tonumber(ARGV[5])
for i = 6, #ARGV, 6 do
  local index = ARGV[i]
  redis.call("HDEL", KEYS[4], @inflight_prefix .. index)
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
  sample(KEYS[5], pushed, ARGV[1], renew)
end
if renew then
  for i = 1, 4 do
    redis.call("PEXPIRE", KEYS[i], ARGV[1])
  end
end
local last = 0
local total = tonumber(redis.call("HGET", KEYS[3], @chunks) or "0")
if counted > 0 and before < total and before + counted >= total then
  last = 1
  redis.call("HSET", KEYS[3], @status, @finishing)
end
local cancel = 0
if redis.call("HGET", KEYS[3], @cancel) == "1" then cancel = 1 end
return {counted, pushed, failed, cancelled, dups, last, cancel, busy}
`)

// Next is the chunk FinishChunks marks in flight for the run that records:
// its index (-1: none), the run's token and the chunk's ambiguous attempts
// as the run loaded them (see MarkInFlight).
type Next struct {
	Index     int
	Token     string
	Ambiguous int
}

// NoNext marks no chunk.
var NoNext = Next{Index: -1}

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
	// NextBusy says chunk next was not marked: another run holds its
	// marker (ErrChunkBusy).
	NextBusy bool
}

// ttlRenewSlack is how much of the job keys' TTL may pass before
// FinishChunks renews it: renewing four keys on every chunk was a third of
// the script's cost in Redis, and a job's keys still live the TTL, less at
// most this, after its last change.
const ttlRenewSlack = time.Minute

// FinishChunks records the outcomes of job id's chunks, each once, clears
// their in-flight markers, marks chunk next in flight (next < 0: none;
// see MarkInFlight) and renews the job keys' TTL once more than
// ttlRenewSlack of it has passed.
func (s *Store) FinishChunks(ctx context.Context, id string, outs []ChunkOutcome, next Next, ttl time.Duration) (Counted, error) {
	keys := []string{s.keys.Done(id), s.keys.Progress(id), s.keys.Meta(id), s.keys.Ambiguous(id), s.keys.Series(id)}
	args := make([]any, 0, 5+6*len(outs))
	args = append(args, ttl.Milliseconds(), indexArg(next.Index), next.Token, next.Ambiguous, ttlRenewSlack.Milliseconds())
	for _, o := range outs {
		args = append(args, o.Index, o.String(), o.Pushed, o.Failed, o.Code, o.Cancelled)
	}
	res, err := finishChunksScript.Run(ctx, s.rdb, keys, args...).Int64Slice()
	if err != nil {
		return Counted{}, fmt.Errorf("recording %d chunks of job %s: %w", len(outs), id, err)
	}
	return Counted{Chunks: int(res[0]), Outcome: Outcome{Pushed: int(res[1]), Failed: int(res[2]), Cancelled: int(res[3])},
		PossibleDuplicates: int(res[4]), Last: res[5] == 1, Cancel: res[6] == 1, NextBusy: res[7] == 1}, nil
}

func indexArg(i int) string {
	if i < 0 {
		return ""
	}
	return strconv.Itoa(i)
}

// luaMark is a Lua function that marks chunk index's call as going out in
// the ambiguous-attempts hash amb, for the run named token, and reports
// whether it did: not when another run holds the marker, the done hash
// done records the chunk's end, or the chunk's ambiguous attempts differ
// from those the run loaded (another run pushes it on a newer
// reservation). MarkInFlight and FinishChunks (for the next chunk)
// both mark with it.
const luaMark = `
local function mark(amb, done, index, token, ambiguous)
  local holder = redis.call("HGET", amb, @inflight_prefix .. index)
  if (holder and holder ~= token) or redis.call("HEXISTS", done, index) == 1 or
      tonumber(redis.call("HGET", amb, index) or "0") ~= tonumber(ambiguous) then
    return false
  end
  redis.call("HSET", amb, @inflight_prefix .. index, token)
  return true
end
`

// markInFlightScript marks a chunk's call as going out, unless another run
// holds its marker, and reads the job's cancel flag.
//
// KEYS[1] -> the job's ambiguous-attempts hash (Keys.Ambiguous)
// KEYS[2] -> the job's meta hash
// KEYS[3] -> the job's done hash (Keys.Done)
// ARGV[1] -> the chunk index
// ARGV[2] -> the marking run's token
// ARGV[3] -> the chunk's ambiguous attempts as the run loaded them: its
//
//	reservation's (ReservationRef)
//
// Returns 2 when another run holds the marker, already recorded the
// chunk's end, or counted an ambiguous attempt of it since (its run pushes
// on a newer reservation) (nothing written), else 1 when a cancel was asked
// for, else 0.
var markInFlightScript = newScript(luaMark + `
if not mark(KEYS[1], KEYS[3], ARGV[1], ARGV[2], ARGV[3]) then return 2 end
if redis.call("HGET", KEYS[2], @cancel) == "1" then return 1 end
return 0
`)

// ErrChunkBusy is returned when another run holds a chunk's in-flight
// marker, or recorded its end since this run loaded it: two runs of one
// range at once (after Redis lost the state of its
// task, asynq may hand it out twice), which share the chunk's reservation.
// The run that finds it so must not push the chunk: a second call on the
// same reservation would pass the MessageId's limit unseen.
var ErrChunkBusy = errors.New("another run is pushing the chunk")

// MarkInFlight marks chunk index of job id as having its call out: if its
// end is never recorded (the worker dies, or loses Redis, meanwhile), the
// next run knows that the call may have been delivered. It returns the
// job's cancel flag. token names the marking run, and ambiguous is the
// chunk's ambiguous attempts as it loaded them: another run's marker, a
// recorded end, or an attempt counted since returns ErrChunkBusy.
func (s *Store) MarkInFlight(ctx context.Context, id string, index, ambiguous int, token string) (bool, error) {
	n, err := s.runMarked(ctx, markInFlightScript, []string{s.keys.Ambiguous(id), s.keys.Meta(id), s.keys.Done(id)},
		index, token, ambiguous).Int()
	if err != nil {
		return false, fmt.Errorf("marking chunk %d of job %s in flight: %w", index, id, err)
	}
	if n == 2 {
		return false, fmt.Errorf("chunk %d of job %s: %w", index, id, ErrChunkBusy)
	}
	return n == 1, nil
}

// ClearInFlight clears chunk index's in-flight marker, set when its call
// was about to go out and it did not.
func (s *Store) ClearInFlight(ctx context.Context, id string, index int) error {
	if err := s.rdb.HDel(ctx, s.keys.Ambiguous(id), inflightPrefix+strconv.Itoa(index)).Err(); err != nil {
		return fmt.Errorf("clearing the in-flight marker of chunk %d of job %s: %w", index, id, err)
	}
	return nil
}

// endAttemptScript ends a chunk's failed attempt: it clears the in-flight
// marker and, when the attempt may have been delivered, counts it.
//
// KEYS[1] -> the job's ambiguous-attempts hash (Keys.Ambiguous)
// ARGV[1] -> the chunk index
// ARGV[2] -> "1" when the attempt may have been delivered
//
// Returns the chunk's ambiguous attempts.
var endAttemptScript = newScript(`
redis.call("HDEL", KEYS[1], @inflight_prefix .. ARGV[1])
if ARGV[2] == "1" then
  return redis.call("HINCRBY", KEYS[1], ARGV[1], 1)
end
return tonumber(redis.call("HGET", KEYS[1], ARGV[1]) or "0")
`)

// EndAttempt ends a failed attempt of job id's chunk: it clears its
// in-flight marker and, when ambiguous (the call may have been delivered
// although it failed), counts it, so that the retry reserves anew and
// its targets count as possible duplicates. It returns the chunk's
// ambiguous attempts.
func (s *Store) EndAttempt(ctx context.Context, id string, index int, ambiguous bool) (int, error) {
	n, err := endAttemptScript.Run(ctx, s.rdb, []string{s.keys.Ambiguous(id)}, index, boolArg(ambiguous)).Int()
	if err != nil {
		return 0, fmt.Errorf("ending an attempt of chunk %d of job %s: %w", index, id, err)
	}
	return n, nil
}

// PromoteInFlight turns the in-flight markers of job id's chunks into
// ambiguous attempts (EndAttempt): a run found them left by one that
// never recorded their calls' ends.
func (s *Store) PromoteInFlight(ctx context.Context, id string, indexes ...int) (map[int]int, error) {
	out := make(map[int]int, len(indexes))
	for _, i := range indexes {
		n, err := s.EndAttempt(ctx, id, i, true)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}
