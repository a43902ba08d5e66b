package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/cpush/cpush/internal/store"
)

// handleFinish completes the MessageIds a content-mode job created (a
// MessageId given by the producer is the producer's to complete: other jobs
// may share it), each once, then sets the job's final status once and
// enqueues its first statistics refresh and its completion webhook, if it
// names one (ended).
//
// Finishing makes progress that lasts: a MessageId completed (or found
// gone) is recorded and never called again, so a retry completes only the
// rest. It is bounded: once FinishTimeout has passed since the first
// attempt, or the retries are used up, the job ends anyway, and its
// MessageIds left open expire with their TTL.
func (w *Worker) handleFinish(ctx context.Context, p store.FinishPayload) error {
	st, err := w.store.ReadState(ctx, p.JobID)
	if err != nil {
		return err
	}
	if store.Final(st.Job.Status) {
		return w.ended(ctx, st) // in case the run that ended it could not
	}
	if st.Progress.ChunksDone < st.Job.Chunks {
		return fmt.Errorf("finishing job %s: %d of %d chunks done", p.JobID, st.Progress.ChunksDone, st.Job.Chunks)
	}
	started, err := w.store.StartFinish(ctx, p.JobID, time.Now())
	if err != nil {
		return err
	}
	if err := w.completeMessages(ctx, st.Job); err != nil {
		retried, _ := asynq.GetRetryCount(ctx)
		if time.Since(started) < w.opts.FinishTimeout && (retried < w.opts.MaxRetry || !IsFailure(err)) {
			return err
		}
		// The job's targets are all counted, so it ends; a MessageId left
		// open expires with its TTL and takes no more pushes from cpush.
		w.opts.Logger.Error("could not complete the job's MessageIds; finishing it anyway",
			logJob(p.JobID), zap.Duration("finishing_for", time.Since(started)), zap.Error(err))
	}
	return w.finalize(ctx, st)
}

// completeMessages completes the job's MessageIds that are still open,
// completeParallelism at a time.
func (w *Worker) completeMessages(ctx context.Context, r *store.Job) error {
	j, err := w.newJob(r)
	if err != nil || !j.contentMode() {
		return err
	}
	open, err := w.store.OpenMessageIDs(ctx, j.ID)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(completeParallelism)
	for _, mid := range open {
		g.Go(func() error {
			how, err := w.messages.complete(gctx, j, mid)
			if err != nil {
				return err
			}
			return w.store.CloseMessage(gctx, j.ID, mid, how, w.opts.JobTTL)
		})
	}
	return g.Wait()
}

// completeParallelism bounds the CompleteContinuouslyPush calls in flight
// for one job; the shared limiter bounds their rate.
const completeParallelism = 8

func (w *Worker) finalize(ctx context.Context, st *store.State) error {
	final := store.StatusCompleted
	switch p := st.Progress; {
	case p.Cancelled > 0:
		final = store.StatusCancelled
	case p.Failed > 0:
		final = store.StatusFailed
	}
	got, err := w.store.Finalize(ctx, st.Job.ID, final, time.Now(), w.opts.JobTTL)
	if err != nil {
		return err
	}
	p := st.Progress
	w.opts.Logger.Info("job finished", logJob(st.Job.ID), zap.String("status", got),
		zap.Int("pushed", p.Pushed), zap.Int("failed", p.Failed), zap.Int("cancelled", p.Cancelled),
		zap.Int("possible_duplicates", p.PossibleDuplicates))
	return w.ended(ctx, st)
}
