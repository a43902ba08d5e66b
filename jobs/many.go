package jobs

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/cpush/cpush/internal/store"
)

// MaxBatchJobs is the most jobs one EnqueueMany takes.
const MaxBatchJobs = 1000

// enqueueParallelism bounds the task enqueues of one EnqueueMany in flight.
const enqueueParallelism = 16

// Result is what EnqueueMany did with one job: its plan, or why it was
// refused (Err: a *FieldError, ErrDuplicateJob, or a Redis failure).
type Result struct {
	Plan Plan
	Err  error
}

// EnqueueMany enqueues jobs as Enqueue does each, and returns one Result
// per job, in order. Each job is validated on its own: a refused one
// leaves nothing behind and does not stop the others. However many the
// jobs, their staging takes two round trips to Redis (the claims of their
// IDs, then their chunks, meta and listing), then one per job to enqueue
// its task, enqueueParallelism at a time. More than MaxBatchJobs jobs fail
// the whole call.
func (c *Client) EnqueueMany(ctx context.Context, jobs []Job) ([]Result, error) {
	if len(jobs) > MaxBatchJobs {
		return nil, fieldErr("jobs", "%d jobs; at most %d in one batch", len(jobs), MaxBatchJobs)
	}
	if err := c.opts.validate(); err != nil {
		return nil, err
	}
	b := &batch{c: c, jobs: jobs, results: make([]Result, len(jobs)), unique: make([][]string, len(jobs))}
	b.plan()
	if err := b.claim(ctx); err != nil {
		return nil, err
	}
	b.stage(ctx)
	b.enqueue(ctx)
	return b.results, nil
}

// batch is one EnqueueMany: its jobs, their results, and the indexes of
// those still going.
type batch struct {
	c       *Client
	jobs    []Job
	results []Result
	unique  [][]string
	live    []int
}

// plan validates each job and works out its plan.
func (b *batch) plan() {
	for i := range b.jobs {
		job := &b.jobs[i]
		job.normalize()
		plan, unique, err := planJob(*job, b.c.opts)
		b.results[i] = Result{Plan: plan, Err: err}
		if err != nil {
			continue
		}
		job.ID, b.unique[i] = plan.ID, unique
		b.live = append(b.live, i)
	}
}

// claim claims the IDs of the jobs still going in one round trip.
func (b *batch) claim(ctx context.Context) error {
	ids := make([]string, len(b.live))
	for k, i := range b.live {
		ids[k] = b.results[i].Plan.ID
	}
	ok, err := b.c.store.ClaimMany(ctx, ids, time.Now(), b.c.opts.StagingTTL)
	if err != nil {
		for k, claimed := range ok {
			if claimed {
				b.c.store.Delete(ctx, ids[k])
			}
		}
		return err
	}
	live := b.live[:0]
	for k, i := range b.live {
		if !ok[k] {
			b.results[i].Err = fmt.Errorf("enqueuing job %s: %w", ids[k], ErrDuplicateJob)
			continue
		}
		live = append(live, i)
	}
	b.live = live
	return nil
}

// stage writes the claimed jobs' chunks and meta in one round trip.
func (b *batch) stage(ctx context.Context) {
	staged := make([]store.Staged, 0, len(b.live))
	live := b.live[:0]
	for _, i := range b.live {
		st, err := b.staged(i)
		if err != nil {
			b.fail(ctx, i, err)
			continue
		}
		staged = append(staged, st)
		live = append(live, i)
	}
	b.live = live
	if err := b.c.store.StageMany(ctx, staged, b.c.recentTTL()); err != nil {
		for _, i := range b.live {
			b.fail(ctx, i, err)
		}
		b.live = nil
	}
}

// staged is job i as the store stages it.
func (b *batch) staged(i int) (store.Staged, error) {
	job, plan, unique := &b.jobs[i], b.results[i].Plan, b.unique[i]
	meta, err := b.c.meta(job, plan)
	if err != nil {
		return store.Staged{}, err
	}
	size := b.c.opts.ValuesPerCall
	chunks := make([][]string, 0, plan.Chunks)
	for k := 0; k*size < len(unique); k++ {
		chunks = append(chunks, unique[k*size:min((k+1)*size, len(unique))])
	}
	return store.Staged{Job: meta, Chunks: chunks, TTL: b.c.jobTTL(job)}, nil
}

// enqueue enqueues each staged job's task.
func (b *batch) enqueue(ctx context.Context) {
	var g errgroup.Group
	g.SetLimit(enqueueParallelism)
	for _, i := range b.live {
		g.Go(func() error {
			if err := b.c.enqueueTask(ctx, &b.jobs[i], b.results[i].Plan); err != nil {
				b.fail(ctx, i, err)
			}
			return nil
		})
	}
	_ = g.Wait() // each job's error is in its result
}

// fail records job i's error and removes what was written of it.
func (b *batch) fail(ctx context.Context, i int, err error) {
	id := b.results[i].Plan.ID
	b.c.store.Delete(ctx, id)
	b.results[i].Err = fmt.Errorf("staging job %s: %w", id, err)
}
