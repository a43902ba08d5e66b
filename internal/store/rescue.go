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

// The rescue sweep finds the jobs that no task will ever take further.
// Every task of a job is enqueued with a task ID of its own and its
// progress is recorded in the job's keys, but the two are separate
// writes: when Redis loses the last writes (a failover to a replica that
// lagged, a crash with appendfsync everysec), a range task can be gone as
// done while the outcomes of its chunks are lost, and the job would wait
// for ever. The sweep looks at the active jobs (Keys.Active) that have
// not changed (their Signature) for a while, and enqueues again the tasks
// they need; a task that still exists keeps its ID, so that enqueue does
// nothing, and a rescued task that finds its work done does nothing.

// Activate lists job ids among the active jobs (Keys.Active).
func activate(ctx context.Context, p redis.Pipeliner, k Keys, js ...*Job) {
	zs := make([]redis.Z, len(js))
	for i, j := range js {
		zs[i] = redis.Z{Score: float64(j.CreatedAt.UnixMilli()), Member: j.ID}
	}
	p.ZAdd(ctx, k.Active(), zs...)
}

// Retire drops ended jobs from the active ones, best effort: the sweep
// drops those it finds ended.
func (s *Store) Retire(ctx context.Context, ids ...string) {
	members := make([]any, len(ids))
	for i, id := range ids {
		members[i] = id
	}
	s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error { //nolint:errcheck // best effort
		p.ZRem(ctx, s.keys.Active(), members...)
		p.HDel(ctx, s.keys.Sweep(), ids...)
		return nil
	})
}

// TakeSweep takes the sweep's turn for every, for owner; false when
// another worker holds it. The turn ends a little before every has
// passed, so that the owner's next tick finds it free.
func (s *Store) TakeSweep(ctx context.Context, owner string, every time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.keys.SweepLock(), owner, every*9/10).Result()
	if err != nil {
		return false, fmt.Errorf("taking the sweep's turn: %w", err)
	}
	return ok, nil
}

// Swept is an active job as the sweep sees it.
type Swept struct {
	ID string
	// Job is nil when the job's keys are gone (expired or deleted).
	Job      *Job
	Progress Progress
	// Signature sums up how far the job is; Since is when the sweep first
	// saw it so (zero: never).
	Signature string
	Since     time.Time
}

// Signature is how far job j with progress p is, as the sweep compares it.
func Signature(j *Job, p Progress) string {
	return j.Status + ":" + strconv.Itoa(p.ChunksDone) + ":" + strconv.Itoa(p.Pushed+p.Failed+p.Cancelled)
}

// Sweep reads up to count active jobs created before before, oldest first
// from offset, with what the sweep last saw of each.
func (s *Store) Sweep(ctx context.Context, before time.Time, offset, count int) ([]Swept, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.keys.Active(), &redis.ZRangeBy{
		Min: "-inf", Max: "(" + strconv.FormatInt(before.UnixMilli(), 10), Offset: int64(offset), Count: int64(count)}).Result()
	if err != nil {
		return nil, fmt.Errorf("reading the active jobs: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	metas := make([]*redis.MapStringStringCmd, len(ids))
	progress := make([]*redis.MapStringStringCmd, len(ids))
	var seen *redis.SliceCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			metas[i] = p.HGetAll(ctx, s.keys.Meta(id))
			progress[i] = p.HGetAll(ctx, s.keys.Progress(id))
		}
		seen = p.HMGet(ctx, s.keys.Sweep(), ids...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %d active jobs: %w", len(ids), err)
	}
	out := make([]Swept, len(ids))
	for i, id := range ids {
		out[i] = Swept{ID: id, Job: parseJob(id, metas[i].Val()), Progress: parseProgress(progress[i].Val())}
		if v, ok := seen.Val()[i].(string); ok {
			sig, since, _ := strings.Cut(v, "|")
			out[i].Signature, out[i].Since = sig, msTime(since)
		}
	}
	return out, nil
}

// Saw records that the sweep saw job id at signature sig since since.
func (s *Store) Saw(ctx context.Context, id, sig string, since time.Time) error {
	if err := s.rdb.HSet(ctx, s.keys.Sweep(), id, sig+"|"+strconv.FormatInt(since.UnixMilli(), 10)).Err(); err != nil {
		return fmt.Errorf("recording the sweep of job %s: %w", id, err)
	}
	return nil
}

// DoneChunks returns the indexes of job id's chunks whose outcomes are
// recorded.
func (s *Store) DoneChunks(ctx context.Context, id string) (map[int]bool, error) {
	keys, err := s.rdb.HKeys(ctx, s.keys.Done(id)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("reading the done chunks of job %s: %w", id, err)
	}
	done := make(map[int]bool, len(keys))
	for _, k := range keys {
		if i, err := strconv.Atoi(k); err == nil {
			done[i] = true
		}
	}
	return done, nil
}
