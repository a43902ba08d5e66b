package jobs

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// EnqueueSeq is Enqueue for a target set read as it comes (an upload, a
// file) rather than held in job.Targets, which must be empty. It checks
// job, claims its ID, then validates, dedupes and stages each target as it
// is yielded, so that it holds the unique targets once, packed (to drop
// duplicates), and one batch of chunks: about the targets' own bytes, never
// the whole input twice.
//
// A bad target fails with a *FieldError naming it "targets[i]", i counting
// the values yielded from 0; an error yielded by targets is returned
// wrapped. Either way nothing is left behind, as with Enqueue.
func (c *Client) EnqueueSeq(ctx context.Context, job Job, targets iter.Seq2[string, error]) (Plan, error) {
	if len(job.Targets) > 0 {
		return Plan{}, fieldErr("targets", "must be empty: EnqueueSeq reads the targets from its sequence")
	}
	if err := job.validateHeader(); err != nil {
		return Plan{}, err
	}
	if err := checkOptions(&job, c.opts); err != nil {
		return Plan{}, err
	}
	if job.ID == "" {
		job.ID = uuid.NewString()
	}
	if err := c.claim(ctx, job.ID); err != nil {
		return Plan{ID: job.ID}, err
	}
	plan, err := c.stageSeq(ctx, &job, targets)
	if err != nil {
		c.cleanup(ctx, job.ID)
		return Plan{ID: job.ID}, err
	}
	return plan, nil
}

func (c *Client) stageSeq(ctx context.Context, job *Job, targets iter.Seq2[string, error]) (Plan, error) {
	s := seqStager{w: c.newChunkWriter(job.ID), target: job.Target, seen: newTargetSet(), renewed: time.Now()}
	for v, err := range targets {
		if err != nil {
			return Plan{}, fmt.Errorf("reading the targets of job %s: %w", job.ID, err)
		}
		if err := s.add(ctx, v); err != nil {
			return Plan{}, err
		}
		if err := s.renew(ctx); err != nil {
			return Plan{}, err
		}
	}
	if err := s.close(ctx); err != nil {
		return Plan{}, err
	}
	if s.total == 0 {
		return Plan{}, errNoTargets
	}
	plan := newPlan(job, s.seen.len(), s.total-s.seen.len(), c.opts)
	plan.Total = s.total
	if err := c.commit(ctx, job, plan); err != nil {
		return Plan{}, fmt.Errorf("staging job %s: %w", job.ID, err)
	}
	return plan, nil
}

// seqStager validates, dedupes and chunks targets one at a time.
type seqStager struct {
	w       *chunkWriter
	target  string
	seen    *targetSet
	chunk   []string
	total   int
	renewed time.Time // when the staging TTL was last renewed
}

// renew renews the staging TTL of the job's claim and chunks every quarter
// of it, however slowly the targets come: a staging that outlived its
// claim would let another job take the same ID.
func (s *seqStager) renew(ctx context.Context) error {
	if time.Since(s.renewed) < s.w.c.opts.StagingTTL/4 {
		return nil
	}
	s.renewed = time.Now()
	return s.w.expire(ctx)
}

func (s *seqStager) add(ctx context.Context, v string) error {
	if err := ValidateValue(s.target, v, s.total); err != nil {
		return err
	}
	s.total++
	if !s.seen.add(v) {
		return nil
	}
	s.chunk = append(s.chunk, v)
	if len(s.chunk) < ChunkSize {
		return nil
	}
	err := s.w.add(ctx, s.chunk)
	s.chunk = s.chunk[:0]
	return err
}

func (s *seqStager) close(ctx context.Context) error {
	if len(s.chunk) > 0 {
		if err := s.w.add(ctx, s.chunk); err != nil {
			return err
		}
	}
	return s.w.flush(ctx)
}

// chunkWriter stages a job's chunks, stageBatch of them per round trip,
// each expiring after the staging TTL until the job is committed; each
// write renews the TTL of the job's claim (its meta) too.
type chunkWriter struct {
	c    *Client
	key  string
	meta string
	args []any
	n    int // chunks added so far: the next chunk's index
}

func (c *Client) newChunkWriter(id string) *chunkWriter {
	return &chunkWriter{c: c, key: c.keys.Chunks(id), meta: c.keys.Meta(id), args: make([]any, 0, 2*stageBatch)}
}

// expire renews the staging TTL of the job's claim and chunks.
func (w *chunkWriter) expire(ctx context.Context) error {
	_, err := w.c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.PExpire(ctx, w.meta, w.c.opts.StagingTTL)
		p.PExpire(ctx, w.key, w.c.opts.StagingTTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("renewing the staging of %s: %w", w.meta, err)
	}
	return nil
}

// add stages the next chunk; values may be reused once add returns.
func (w *chunkWriter) add(ctx context.Context, values []string) error {
	w.args = append(w.args, strconv.Itoa(w.n), strings.Join(values, "\n"))
	w.n++
	if len(w.args) < 2*stageBatch {
		return nil
	}
	return w.flush(ctx)
}

// flush writes the chunks added since the last flush.
func (w *chunkWriter) flush(ctx context.Context) error {
	if len(w.args) == 0 {
		return nil
	}
	_, err := w.c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, w.key, w.args...)
		p.PExpire(ctx, w.key, w.c.opts.StagingTTL)
		p.PExpire(ctx, w.meta, w.c.opts.StagingTTL)
		return nil
	})
	clear(w.args)
	w.args = w.args[:0]
	if err != nil {
		return fmt.Errorf("writing chunks to %s: %w", w.key, err)
	}
	return nil
}
