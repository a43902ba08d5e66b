package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/push"
)

// handleDirect takes a direct job through its whole life in one task: wait
// for the account's Push rate; mark the call in flight (store.BeginDirect);
// one Push call with the job's targets; record the outcome, the MessageId
// and the final status in one script (store.FinishDirect); enqueue the
// webhook. No stored message, ContinuouslyPush or completion.
//
// A run that dies between its call and the record leaves the in-flight
// mark, and the next run counts its targets as possible duplicates when it
// pushes them again; a run that finds the outcome recorded pushes nothing.
// So each target is pushed once, except when the worker dies (or the call
// fails ambiguously) with the call in flight.
//
// A worker with the direct path off (Options.NoDirect) sends a direct job
// that reaches it on the continuous path instead.
func (w *Worker) handleDirect(ctx context.Context, p store.DirectPayload) error {
	if w.opts.NoDirect {
		return w.planContinuous(ctx, p.JobID)
	}
	app := w.app(p.AppKey)
	if _, err := w.limiter.Wait(ctx, app, push.ActionPush); err != nil {
		return err
	}
	run, err := w.store.BeginDirect(ctx, p.JobID, time.Now(), w.opts.JobTTL)
	if errors.Is(err, store.ErrNotReplicated) {
		// The call does not go out: the mark would count it a possible
		// duplicate (best effort, as an outage may hold Redis).
		_ = w.store.AbortDirect(context.WithoutCancel(ctx), p.JobID)
		return replicaWait(err)
	}
	if err != nil {
		return err
	}
	d := &directRun{w: w, run: run, log: w.opts.Logger.With(logJob(p.JobID))}
	retried, _ := asynq.GetRetryCount(ctx)
	d.last = retried >= w.opts.MaxRetry
	switch {
	case store.Final(run.Job.Status):
		return d.ended(ctx, "") // in case the run that ended it could not
	case run.Done != "":
		return d.record(ctx, store.DirectOutcome{}) // recorded, not yet final: only the status is left
	case !run.Begun:
		return d.record(ctx, store.DirectOutcome{Outcome: store.Outcome{Cancelled: len(run.Values)}})
	}
	return d.push(ctx)
}

// directRun is one run of a direct job's task.
type directRun struct {
	w    *Worker
	run  *store.DirectRun
	log  *zap.Logger
	last bool // the task's last allowed attempt
}

// push makes the job's Push call and records its outcome.
func (d *directRun) push(ctx context.Context) error {
	j, err := d.w.newJob(d.run.Job)
	if err != nil {
		d.abort(ctx)
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	start := time.Now()
	res, err := j.app.Service.PushTargets(ctx, j.AppKey, j.message.ForJob(j.ID), j.TargetType, d.run.Values)
	d.w.metrics.observeCall(push.ActionPush, start, err)
	if err != nil {
		return d.failedCall(ctx, j, err)
	}
	d.log.Debug("direct job pushed", zap.String("message_id", res.MessageID), zap.String("request_id", res.RequestID),
		zap.Int("targets", len(d.run.Values)))
	return d.record(ctx, store.DirectOutcome{Outcome: store.Outcome{Pushed: len(d.run.Values)},
		MessageID: res.MessageID, At: start})
}

// failedCall applies the retry policy to a failed Push call, as a chunk's:
// a wait goes back to the queue; a refusal fails the targets with its
// code; a transient failure is retried until the last attempt, which fails
// them. Only a call that may have been delivered keeps its in-flight mark.
func (d *directRun) failedCall(ctx context.Context, j *job, err error) error {
	e, ok := push.AsError(err)
	if !ok {
		d.abort(ctx) // the adapter sends nothing when it fails without a *push.Error
		return err
	}
	log := d.log.With(zap.String("code", e.Code), zap.String("request_id", e.RequestID))
	switch e.Class {
	case push.ClassWait:
		d.abort(ctx)
		return d.w.retryPolicy(ctx, j.app, err, log)
	case push.ClassRollover, push.ClassPermanent:
		return d.fail(ctx, e, log)
	}
	if !e.Ambiguous {
		d.abort(ctx)
	}
	if !d.last {
		log.Warn("direct push failed; retrying", zap.Bool("ambiguous", e.Ambiguous), zap.Error(e))
		return fmt.Errorf("pushing direct job %s: %w", j.ID, e)
	}
	return d.fail(ctx, e, log)
}

// fail counts the job's targets failed with e's code.
func (d *directRun) fail(ctx context.Context, e *push.Error, log *zap.Logger) error {
	log.Error("direct job failed", zap.Int("targets", len(d.run.Values)), zap.Error(e))
	return d.record(ctx, store.DirectOutcome{Outcome: store.Outcome{Failed: len(d.run.Values), Code: e.Code}})
}

// abort clears the in-flight mark of a call that surely sent nothing. If
// it cannot, the next run counts a possible duplicate that is not one.
func (d *directRun) abort(ctx context.Context) {
	if err := d.w.store.AbortDirect(ctx, d.run.Job.ID); err != nil {
		d.log.Warn("clearing the in-flight mark", zap.Error(err))
	}
}

// record counts the outcome, ends the job and enqueues its webhook.
func (d *directRun) record(ctx context.Context, o store.DirectOutcome) error {
	w := d.w
	c, err := w.store.FinishDirect(ctx, d.run.Job.ID, o, time.Now(), w.opts.JobTTL)
	if err != nil {
		return err
	}
	w.countTargets(store.Counted{Outcome: c.Outcome, PossibleDuplicates: c.PossibleDuplicates})
	if c.Counted {
		d.log.Info("job finished", zap.String("path", store.PathDirect), zap.String("status", c.Status),
			zap.Int("pushed", c.Pushed), zap.Int("failed", c.Failed), zap.Int("cancelled", c.Cancelled),
			zap.Int("possible_duplicates", c.PossibleDuplicates))
	}
	return d.ended(ctx, o.MessageID)
}

// ended schedules the ended job's statistics and its webhook, as finishing
// a job on the continuous path does; mid is the MessageId this run
// recorded ("": read the job's).
func (d *directRun) ended(ctx context.Context, mid string) error {
	st := &store.State{Job: d.run.Job, MessageIDs: []string{mid}}
	if mid == "" {
		var err error
		if st, err = d.w.store.ReadState(ctx, d.run.Job.ID); err != nil {
			return err
		}
	}
	return d.w.ended(ctx, st)
}

// planContinuous sends a direct job on the continuous path: a worker with
// the direct path off plans it as a push:plan task would.
func (w *Worker) planContinuous(ctx context.Context, id string) error {
	if err := w.store.SetPath(ctx, id, store.PathContinuous); err != nil {
		return err
	}
	return w.plan(ctx, id)
}
