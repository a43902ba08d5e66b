package jobs

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/google/uuid"

	"github.com/cpush/cpush/internal/store"
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
	if err := c.opts.validate(); err != nil {
		return Plan{}, err
	}
	job.normalize()
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
		c.store.Delete(ctx, job.ID)
		return Plan{ID: job.ID}, err
	}
	return plan, nil
}

func (c *Client) stageSeq(ctx context.Context, job *Job, targets iter.Seq2[string, error]) (Plan, error) {
	s := seqStager{w: c.store.NewChunkWriter(job.ID, c.opts.StagingTTL), target: job.TargetType, seen: newTargetSet(),
		size: c.opts.ValuesPerCall, renewEvery: c.opts.StagingTTL / 4, renewed: time.Now()}
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
	w          *store.ChunkWriter
	target     string
	seen       *targetSet
	chunk      []string
	size       int // values per chunk
	total      int
	renewEvery time.Duration
	renewed    time.Time // when the staging TTL was last renewed
}

// renew renews the staging TTL of the job's claim and chunks every quarter
// of it, however slowly the targets come: a staging that outlived its
// claim would let another job take the same ID.
func (s *seqStager) renew(ctx context.Context) error {
	if time.Since(s.renewed) < s.renewEvery {
		return nil
	}
	s.renewed = time.Now()
	return s.w.Expire(ctx)
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
	if len(s.chunk) < s.size {
		return nil
	}
	err := s.w.Add(ctx, s.chunk)
	s.chunk = s.chunk[:0]
	return err
}

func (s *seqStager) close(ctx context.Context) error {
	if len(s.chunk) > 0 {
		if err := s.w.Add(ctx, s.chunk); err != nil {
			return err
		}
	}
	return s.w.Flush(ctx)
}
