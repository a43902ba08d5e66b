package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Batches of jobs are staged in three round trips however many jobs they
// hold: ClaimMany, then StageMany (their chunks, meta and place among the
// recent jobs), then the producer enqueues their tasks.

// ClaimMany claims job IDs ids for staging for ttl in one round trip, as
// Claim does each: ok[i] is false when a job has ids[i] (or an earlier
// entry of ids claimed it). On an error, ok still says which claims took,
// so that the caller can delete them.
func (s *Store) ClaimMany(ctx context.Context, ids []string, now time.Time, ttl time.Duration) ([]bool, error) {
	cmds := make([]*redis.Cmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = claimScript.Eval(ctx, p, []string{s.keys.Meta(id)}, now.UnixMilli(), ttl.Milliseconds())
		}
		return nil
	})
	ok := make([]bool, len(ids))
	for i, c := range cmds {
		n, _ := c.Int()
		ok[i] = n == 1
	}
	if err != nil {
		return ok, fmt.Errorf("claiming %d job ids: %w", len(ids), err)
	}
	return ok, nil
}

// Staged is a claimed job to stage: its record and its chunks.
type Staged struct {
	Job    *Job
	Chunks [][]string
	// TTL is how long its keys live from now.
	TTL time.Duration
}

// StageMany writes the chunks of claimed jobs and commits them, as
// ChunkWriter and Commit do for one (status queued, the TTL of their keys,
// their place among the recent jobs, from which the jobs created more than
// recent ago are dropped, and among the active ones), in one round trip. It is not atomic: on an
// error the caller deletes the jobs (Delete).
func (s *Store) StageMany(ctx context.Context, js []Staged, recentTTL time.Duration) error {
	if len(js) == 0 {
		return nil
	}
	recent := make([]redis.Z, len(js))
	jobs := make([]*Job, len(js))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, st := range js {
			s.stageOne(ctx, p, st)
			recent[i] = redis.Z{Score: float64(st.Job.CreatedAt.UnixMilli()), Member: st.Job.ID}
			jobs[i] = st.Job
		}
		activate(ctx, p, s.keys, jobs...)
		p.ZAdd(ctx, s.keys.Recent(), recent...)
		cutoff := time.Now().Add(-recentTTL).UnixMilli()
		p.ZRemRangeByScore(ctx, s.keys.Recent(), "-inf", "("+strconv.FormatInt(cutoff, 10))
		return nil
	})
	if err != nil {
		return fmt.Errorf("staging %d jobs: %w", len(js), err)
	}
	return nil
}

func (s *Store) stageOne(ctx context.Context, p redis.Pipeliner, st Staged) {
	j := st.Job
	j.Status = StatusQueued
	args := make([]any, 0, 2*len(st.Chunks))
	for i, c := range st.Chunks {
		args = append(args, strconv.Itoa(i), PackChunk(c))
	}
	if len(args) > 0 {
		p.HSet(ctx, s.keys.Chunks(j.ID), args...)
		p.PExpire(ctx, s.keys.Chunks(j.ID), st.TTL)
	}
	p.HSet(ctx, s.keys.Meta(j.ID), j.fields()...)
	p.PExpire(ctx, s.keys.Meta(j.ID), st.TTL)
}
