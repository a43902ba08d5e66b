package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// handleFinish completes the MessageIds a content-mode job created (a
// MessageId given by the producer is the producer's to complete: other jobs
// may share it), then sets the job's final status once and enqueues its
// completion webhook, if it names one.
func (w *Worker) handleFinish(ctx context.Context, t *asynq.Task) error {
	var p jobs.FinishPayload
	if err := jobs.DecodePayload(t.Payload(), &p); err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	st, err := jobs.ReadStatus(ctx, w.rdb, w.keys, p.JobID)
	if errors.Is(err, jobs.ErrJobNotFound) {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	if st.Final() {
		return w.enqueueWebhook(ctx, p.JobID) // in case the run that ended it could not
	}
	if st.ChunksDone < st.Chunks {
		return fmt.Errorf("finishing job %s: %d of %d chunks done", p.JobID, st.ChunksDone, st.Chunks)
	}
	if err := w.completeMessages(ctx, p.JobID); err != nil {
		if retried, _ := asynq.GetRetryCount(ctx); retried < w.opts.MaxRetry || !IsFailure(err) {
			return err
		}
		// Out of retries: the job's targets are all counted, so it ends; a
		// MessageId left open expires with its TTL and takes no more pushes
		// from cpush.
		w.opts.Logger.Error("could not complete the job's MessageIds; finishing it anyway",
			zap.String("job_id", p.JobID), zap.Error(err))
	}
	return w.finalize(ctx, st)
}

func (w *Worker) completeMessages(ctx context.Context, id string) error {
	mids, err := w.rdb.HKeys(ctx, w.keys.MessageIDs(id)).Result()
	if err != nil {
		return fmt.Errorf("reading the MessageIds of job %s: %w", id, err)
	}
	j, err := w.loadJob(ctx, id)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(completeParallelism)
	for _, mid := range mids {
		g.Go(func() error { return w.complete(gctx, j, mid) })
	}
	return g.Wait()
}

// completeParallelism bounds the CompleteContinuouslyPush calls in flight
// for one job; the shared limiter bounds their rate.
const completeParallelism = 8

// complete ends one MessageId. One the service no longer knows, or that
// expired or was completed, needs nothing more.
func (w *Worker) complete(ctx context.Context, j *job, mid string) error {
	if _, err := w.limiter.Wait(ctx, j.app, push.ActionCompleteContinuouslyPush); err != nil {
		return err
	}
	start := time.Now()
	_, err := j.app.Service.CompleteMessage(ctx, j.appKey, mid)
	w.metrics.observeCall(push.ActionCompleteContinuouslyPush, start, err)
	if err == nil || push.ClassOf(err) == push.ClassRollover {
		return nil
	}
	if e, ok := push.AsError(err); ok && e.Class == push.ClassWait {
		return &WaitError{Delay: waitDelay(e), Reason: "throttled", Err: err}
	}
	return fmt.Errorf("completing MessageId %s of job %s: %w", mid, j.id, err)
}

func (w *Worker) finalize(ctx context.Context, st *jobs.Status) error {
	final := jobs.StatusCompleted
	switch {
	case st.Cancelled > 0:
		final = jobs.StatusCancelled
	case st.FailedTotal > 0:
		final = jobs.StatusFailed
	}
	got, err := finalizeScript.Run(ctx, w.rdb, w.keys.JobKeys(st.ID), final, time.Now().UnixMilli(), w.opts.JobTTL.Milliseconds()).Text()
	if err != nil {
		return fmt.Errorf("finalizing job %s: %w", st.ID, err)
	}
	w.opts.Logger.Info("job finished", zap.String("job_id", st.ID), zap.String("status", got),
		zap.Int("pushed", st.Pushed), zap.Int("failed", st.FailedTotal), zap.Int("cancelled", st.Cancelled),
		zap.Int("possible_duplicates", st.PossibleDuplicates))
	return w.enqueueWebhook(ctx, st.ID)
}
