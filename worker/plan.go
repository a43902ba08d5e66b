package worker

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/cpush/cpush/internal/store"
)

// handlePlan fans a staged job out into one push:chunks task per range of
// chunks. A rerun skips the range tasks that exist; a chunk already done is
// skipped by its range.
func (w *Worker) handlePlan(ctx context.Context, p store.PlanPayload) error {
	return w.plan(ctx, p.JobID)
}

// plan enqueues job id's chunk range tasks.
func (w *Worker) plan(ctx context.Context, id string) error {
	j, err := w.store.ReadJob(ctx, id)
	if err != nil {
		return err
	}
	if store.Final(j.Status) {
		return nil
	}
	if j.Status == store.StatusQueued {
		if err := w.store.SetRunning(ctx, j.ID); err != nil {
			return err
		}
	}
	ranges := w.ranges(j)
	for _, r := range ranges {
		err := w.enqueue(ctx, store.TypeChunks, r, w.rangeOptions(j, r)...)
		if err != nil {
			return fmt.Errorf("planning chunks from %d of job %s: %w", r.First, j.ID, err)
		}
	}
	w.opts.Logger.Info("job planned", logJob(j.ID), zap.Int("chunks", j.Chunks), zap.Int("tasks", len(ranges)))
	return nil
}

// rangeOptions are the options of job j's task of range r.
func (w *Worker) rangeOptions(j *store.Job, r store.ChunksPayload) []asynq.Option {
	return []asynq.Option{asynq.Queue(j.Queue), asynq.TaskID(store.ChunksTaskID(j.ID, r.First)), asynq.MaxRetry(w.opts.MaxRetry + 1)}
}

// ranges cuts a job's chunks into its ranges (store.Ranges).
func (w *Worker) ranges(j *store.Job) []store.ChunksPayload {
	return store.Ranges(j, w.opts.Limits.ChunksPerMessageOf(j.ChunkSize))
}
