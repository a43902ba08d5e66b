package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/redis/go-redis/v9"
)

// State is a job as its status reads it: the meta hash, the counters and
// the MessageIds.
type State struct {
	Job      *Job
	Progress Progress
	// MessageIDs is the producer's MessageId (message-id mode) or the ones
	// the job created, by message number (content mode).
	MessageIDs []string
	// Closed says how finishing left each MessageId it dealt with.
	Closed map[string]string
	// Delivery is the job's delivery statistics; nil before any.
	Delivery *Delivery
}

// Progress are a job's counters.
type Progress struct {
	Pushed, Failed, Cancelled, PossibleDuplicates, ChunksDone int
	// FailedByCode counts the failed targets per code.
	FailedByCode map[string]int
}

// stateCmds are the reads of one job's state in a pipeline.
type stateCmds struct {
	id                                     string
	meta, progress, mids, closed, delivery *redis.MapStringStringCmd
}

func (s *Store) readStateCmds(ctx context.Context, p redis.Pipeliner, id string) stateCmds {
	return stateCmds{
		id:       id,
		meta:     p.HGetAll(ctx, s.keys.Meta(id)),
		progress: p.HGetAll(ctx, s.keys.Progress(id)),
		mids:     p.HGetAll(ctx, s.keys.MessageIDs(id)),
		closed:   p.HGetAll(ctx, s.keys.Closed(id)),
		delivery: p.HGetAll(ctx, s.keys.Delivery(id)),
	}
}

// state decodes the reads; nil when the job does not exist.
func (c stateCmds) state() *State {
	j := parseJob(c.id, c.meta.Val())
	if j == nil {
		return nil
	}
	return &State{Job: j, Progress: parseProgress(c.progress.Val()), MessageIDs: messageIDs(j, c.mids.Val()),
		Closed: c.closed.Val(), Delivery: parseDelivery(c.delivery.Val())}
}

func parseProgress(m map[string]string) Progress {
	p := Progress{
		Pushed: atoi(m[ProgressPushed]), Failed: atoi(m[ProgressFailed]), Cancelled: atoi(m[ProgressCancelled]),
		PossibleDuplicates: atoi(m[ProgressPossibleDuplicates]), ChunksDone: atoi(m[ProgressChunksDone]),
		FailedByCode: map[string]int{},
	}
	for k, v := range m {
		if code, ok := strings.CutPrefix(k, FailedPrefix); ok {
			p.FailedByCode[code] = atoi(v)
		}
	}
	return p
}

// messageIDs lists the producer's MessageId or the created ones in message
// number order.
func messageIDs(j *Job, mids map[string]string) []string {
	if j.MessageID != "" {
		return []string{j.MessageID}
	}
	out := make([]string, 0, len(mids))
	for mid := range mids {
		out = append(out, mid)
	}
	sort.Slice(out, func(a, b int) bool {
		x, y := atoi(mids[out[a]]), atoi(mids[out[b]])
		return x < y || (x == y && out[a] < out[b])
	})
	return out
}

// ReadState reads job id's state in one round trip; an unknown job returns
// ErrNotFound.
func (s *Store) ReadState(ctx context.Context, id string) (*State, error) {
	states, err := s.ReadStates(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if states[0] == nil {
		return nil, fmt.Errorf("reading job %s: %w", id, ErrNotFound)
	}
	return states[0], nil
}

// ReadStates reads the state of each job of ids in one round trip, in
// order; nil for a job that does not exist.
func (s *Store) ReadStates(ctx context.Context, ids []string) ([]*State, error) {
	cmds := make([]stateCmds, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = s.readStateCmds(ctx, p, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %d jobs: %w", len(ids), err)
	}
	out := make([]*State, len(ids))
	for i, c := range cmds {
		out[i] = c.state()
	}
	return out, nil
}

// Recent returns up to count members of the recent-jobs set scored at most
// max ("+inf" or ms), newest first, skipping offset.
func (s *Store) Recent(ctx context.Context, max string, offset, count int64) ([]redis.Z, error) {
	return s.rdb.ZRevRangeByScoreWithScores(ctx, s.keys.Recent(), &redis.ZRangeBy{
		Max: max, Min: "-inf", Offset: offset, Count: count}).Result()
}

// Forget drops job IDs from the recent-jobs set (their keys expired).
func (s *Store) Forget(ctx context.Context, ids ...string) {
	if len(ids) == 0 {
		return
	}
	members := make([]any, len(ids))
	for i, id := range ids {
		members[i] = id
	}
	s.rdb.ZRem(ctx, s.keys.Recent(), members...) // best effort: a later listing tries again
}
