package worker

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/cpush/cpush/jobs"
)

// outcome is how a chunk's targets ended.
type outcome struct {
	pushed, failed, cancelled int
	code                      string // why the failed ones failed
}

// String is the outcome as the job's done hash records it (see
// jobs.OutcomePushed).
func (o outcome) String() string {
	switch {
	case o.cancelled > 0:
		return jobs.OutcomeCancelled
	case o.failed > 0 && o.pushed > 0:
		return fmt.Sprintf("%s:%d:%s", jobs.OutcomePartial, o.pushed, o.code)
	case o.failed > 0:
		return jobs.OutcomeFailed + ":" + o.code
	}
	return jobs.OutcomePushed
}

// finish records the chunk's outcome once; the run that finishes the job's
// last chunk enqueues the job's finish task.
func (r *chunkRun) finish(ctx context.Context, o outcome) error {
	w := r.w
	keys := []string{w.keys.Done(r.job.id), w.keys.Progress(r.job.id), w.keys.Meta(r.job.id), w.keys.Ambiguous(r.job.id)}
	res, err := finishChunkScript.Run(ctx, w.rdb, keys, r.index, o.String(), o.pushed, o.failed, o.code, o.cancelled,
		w.opts.JobTTL.Milliseconds()).Int64Slice()
	if err != nil {
		return fmt.Errorf("recording chunk %d of job %s: %w", r.index, r.job.id, err)
	}
	if res[0] == 1 {
		return nil // counted by an earlier run
	}
	w.countTargets(o)
	w.metrics.duplicates.Add(float64(res[2]))
	if res[1] == 1 {
		r.log.Info("last chunk done; finishing the job")
		return w.enqueueFinish(ctx, r.job)
	}
	return nil
}

// enqueueFinish enqueues the job's finish task; a second call while it
// exists does nothing.
func (w *Worker) enqueueFinish(ctx context.Context, j *job) error {
	return w.enqueue(ctx, jobs.TypeFinish, jobs.FinishPayload{JobID: j.id},
		asynq.Queue(j.queue), asynq.TaskID(jobs.FinishTaskID(j.id)), asynq.MaxRetry(w.opts.MaxRetry+1))
}

func (w *Worker) countTargets(o outcome) {
	w.metrics.targets.WithLabelValues("pushed").Add(float64(o.pushed))
	w.metrics.targets.WithLabelValues("failed").Add(float64(o.failed))
	w.metrics.targets.WithLabelValues("cancelled").Add(float64(o.cancelled))
}
