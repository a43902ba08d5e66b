package worker

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/cpush/cpush/internal/store"
)

// handlePlan fans a staged job out into one push:chunks task per range of
// chunks. A rerun skips the range tasks that exist; a chunk already done is
// skipped by its range.
func (w *Worker) handlePlan(ctx context.Context, t *asynq.Task) error {
	var p store.PlanPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	return w.plan(ctx, p.JobID)
}

// plan enqueues job id's chunk range tasks.
func (w *Worker) plan(ctx context.Context, id string) error {
	j, err := w.store.ReadJob(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return w.gone(err, "plan", id)
	}
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
		err := w.enqueue(ctx, store.TypeChunks, r, asynq.Queue(j.Queue),
			asynq.TaskID(store.ChunksTaskID(j.ID, r.First)), asynq.MaxRetry(w.opts.MaxRetry+1))
		if err != nil {
			return fmt.Errorf("planning chunks from %d of job %s: %w", r.First, j.ID, err)
		}
	}
	w.opts.Logger.Info("job planned", logJob(j.ID), zap.Int("chunks", j.Chunks), zap.Int("tasks", len(ranges)))
	return nil
}

// ranges cuts a job's chunks into ranges that never span two of its
// messages (content mode), so that a range pushes with one MessageId. A
// range pushes its chunks one after another: a large job's ranges take
// store.RangeSize chunks, which spreads a task's cost over ten calls; a
// smaller content job's are cut so that it has at least minRanges of them,
// pushed side by side. (A message-id job's chunks share one MessageId and
// its limit: in ranges of store.RangeSize its first targets are the first
// to take it.)
func (w *Worker) ranges(j *store.Job) []store.ChunksPayload {
	per := w.opts.Limits.ChunksPerMessageOf(j.ChunkSize)
	size := store.RangeSize
	if j.MessageID == "" {
		size = min(size, max(1, (j.Chunks+minRanges-1)/minRanges))
	}
	var out []store.ChunksPayload
	for first := 0; first < j.Chunks; {
		n := first / per
		end := min(first+size, j.Chunks, (n+1)*per)
		out = append(out, store.ChunksPayload{JobID: j.ID, First: first, Count: end - first, Message: n})
		first = end
	}
	return out
}

// minRanges is the number of ranges below which a job's ranges get fewer
// chunks than store.RangeSize.
const minRanges = 32
