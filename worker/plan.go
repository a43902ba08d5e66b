package worker

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/cpush/cpush/jobs"
)

// handlePlan fans a staged job out into one task per chunk. A rerun skips
// chunk tasks that exist; a chunk already done is skipped by its handler.
func (w *Worker) handlePlan(ctx context.Context, t *asynq.Task) error {
	var p jobs.PlanPayload
	if err := jobs.DecodePayload(t.Payload(), &p); err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	j, err := w.loadJob(ctx, p.JobID)
	if errors.Is(err, errJobGone) {
		w.opts.Logger.Warn("plan of a job that no longer exists", zap.String("job_id", p.JobID))
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	if jobs.Final(j.status) {
		return nil
	}
	if j.status == jobs.StatusQueued {
		if err := w.rdb.HSet(ctx, w.keys.Meta(j.id), jobs.FieldStatus, jobs.StatusRunning).Err(); err != nil {
			return fmt.Errorf("starting job %s: %w", j.id, err)
		}
	}
	for i := range j.chunks {
		err := w.enqueue(ctx, jobs.TypeChunk, jobs.ChunkPayload{JobID: j.id, Index: i},
			asynq.Queue(j.queue), asynq.TaskID(jobs.ChunkTaskID(j.id, i)), asynq.MaxRetry(w.opts.MaxRetry+1))
		if err != nil {
			return fmt.Errorf("planning chunk %d of job %s: %w", i, j.id, err)
		}
	}
	w.opts.Logger.Info("job planned", zap.String("job_id", j.id), zap.Int("chunks", j.chunks))
	return nil
}
