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

// handleChunks pushes a range of chunks (see rangeRun).
func (w *Worker) handleChunks(ctx context.Context, p store.ChunksPayload) error {
	return w.pushRange(ctx, p)
}

// handleChunk pushes one chunk: the task of workers before ranges, whose
// jobs have chunks of store.ChunkSize.
func (w *Worker) handleChunk(ctx context.Context, p store.ChunkPayload) error {
	return w.pushRange(ctx, store.ChunksPayload{JobID: p.JobID, First: p.Index, Count: 1,
		Message: p.Index / w.opts.Limits.ChunksPerMessage()})
}

// rangeRun is one run of a range task: the chunks of the range not yet
// done, pushed one after another with one MessageId.
type rangeRun struct {
	w      *Worker
	job    *job
	chunks []store.RangeChunk // not done
	msg    current
	log    *zap.Logger
	// flagRead is when the job's cancel flag was last read.
	flagRead time.Time
	// last is true on the task's last allowed attempt.
	last bool
	// grants are the pushes the range reserved, chunk by chunk.
	grants []int
	// marked is the index of the chunk marked in flight (-1: none).
	marked int
	// token names this run on the in-flight markers it sets: a marker of
	// another run means two runs of the range at once (ErrChunkBusy).
	token string
}

// pushRange runs the steps of a range, in order: load what is not done;
// stop there if the job was cancelled or its message refused; take the
// MessageId; reserve the pushes; then per chunk wait for the shared
// limiter, push, and record the outcome. The run that records the job's
// last chunk enqueues the job's finish task.
func (w *Worker) pushRange(ctx context.Context, p store.ChunksPayload) error {
	id, first := p.JobID, p.First
	loaded, err := w.store.LoadRange(ctx, id, first, p.Count, p.Message)
	if err != nil {
		return err
	}
	j, err := w.newJob(loaded.Job)
	if err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	r := &rangeRun{w: w, job: j, flagRead: time.Now(), marked: -1, token: newToken(),
		log: w.opts.Logger.With(logJob(id), zap.Int("first_chunk", first))}
	for _, c := range loaded.Chunks {
		if !c.Done {
			r.chunks = append(r.chunks, c)
		}
	}
	if err := r.promoteInFlight(ctx); err != nil {
		return err
	}
	retried, _ := asynq.GetRetryCount(ctx)
	r.last = retried >= w.opts.MaxRetry
	switch {
	case len(r.chunks) == 0:
		if j.Status == store.StatusFinishing {
			return w.enqueueFinish(ctx, j.Job) // in case the run that finished it could not
		}
		return nil
	case j.Cancel:
		return r.cancelRest(ctx, 0)
	case j.CreateFailed != "":
		return r.failRest(ctx, 0, j.CreateFailed)
	}
	if r.msg, err = w.messages.of(ctx, j, p.Message, loaded.Message, loaded.Epoch); err != nil {
		return r.createFailed(ctx, err)
	}
	if j.contentMode() && loaded.Message == "" {
		r.flagRead = time.Time{} // creating the MessageId took a call: read the flag again before pushing
	}
	grants, reason, err := r.reserve(ctx)
	if err != nil {
		return err
	}
	r.grants = grants
	for i, c := range r.chunks {
		if grants[i] == 0 {
			return r.refused(ctx, i, reason)
		}
		if err := r.pushChunk(ctx, i, c, grants[i]); err != nil || r.chunks == nil {
			return err
		}
	}
	return nil
}

// promoteInFlight counts as an ambiguous attempt each chunk found in
// flight: a run before this one began its call and never recorded its end
// (its worker died, or lost Redis), so the call may have been delivered.
// Its retry then reserves anew, and its targets count as possible
// duplicates.
func (r *rangeRun) promoteInFlight(ctx context.Context) error {
	var inflight []int
	for _, c := range r.chunks {
		if c.InFlight {
			inflight = append(inflight, c.Index)
		}
	}
	if len(inflight) == 0 {
		return nil
	}
	n, err := r.w.store.PromoteInFlight(ctx, r.job.ID, inflight...)
	if err != nil {
		return err
	}
	for i := range r.chunks {
		if c := &r.chunks[i]; c.InFlight {
			c.Ambiguous, c.InFlight = n[c.Index], false
		}
	}
	r.log.Warn("chunks whose calls went out from a run that never recorded their ends: pushed again, counted as possible duplicates",
		zap.Ints("chunks", inflight))
	return nil
}

// reserve reserves the range's pushes on its MessageId. Each chunk attempt
// after one that may have been delivered reserves anew: the service may
// have counted it.
func (r *rangeRun) reserve(ctx context.Context) ([]int, string, error) {
	w := r.w
	attempts := make([]store.Attempt, len(r.chunks))
	for i, c := range r.chunks {
		attempts[i] = store.Attempt{Ref: store.ReservationRef(r.job.ID, c.Index, c.Ambiguous), Values: c.Len}
	}
	l := store.Limits{Limit: w.opts.Limits.Limit, Unit: w.opts.Limits.Unit}
	return w.store.Reserve(ctx, r.job.AppKey, r.msg.id, !r.job.contentMode(), r.msg.epoch, l, r.msg.expiresAt, time.Now(),
		w.opts.ExpiryMargin, attempts)
}

// ref is chunk c's reservation on the range's MessageId.
func (r *rangeRun) ref(c store.RangeChunk) string {
	return store.ReservationRef(r.job.ID, c.Index, c.Ambiguous)
}

// release gives back the reservations of chunks, whose calls surely sent
// nothing.
func (r *rangeRun) release(ctx context.Context, chunks ...store.RangeChunk) {
	refs := make([]string, len(chunks))
	for i, c := range chunks {
		refs[i] = r.ref(c)
	}
	if _, err := r.w.store.Release(ctx, r.job.AppKey, r.msg.id, r.w.opts.Limits.Unit, refs...); err != nil {
		r.log.Warn("releasing reservations", zap.String("message_id", r.msg.id), zap.Error(err))
	}
}

// refused handles the first chunk, i, that the MessageId cannot take:
// content mode rolls over to a fresh one; message-id mode fails the
// targets from chunk i on with the reason.
func (r *rangeRun) refused(ctx context.Context, i int, reason string) error {
	if r.job.contentMode() {
		return r.w.messages.rollover(ctx, r.job, r.msg, reason)
	}
	r.log.Warn("targets over the MessageId's rules", zap.String("message_id", r.msg.id), zap.String("code", reason))
	return r.failRest(ctx, i, reason)
}

// pushChunk waits for the shared limiter, pushes chunk i's first grant
// values and records the outcome.
func (r *rangeRun) pushChunk(ctx context.Context, i int, c store.RangeChunk, grant int) error {
	if err := r.w.beginCall(ctx, r.job.app, push.ActionContinuouslyPush); err != nil {
		r.unmark(ctx, c)
		return err
	}
	if !time.Now().Add(r.w.opts.ExpiryMargin).Before(r.msg.expiresAt) {
		// Reserved in time, but the wait took the message into its last
		// minutes: no call may reach it expired.
		r.unmark(ctx, c)
		return r.refused(ctx, i, store.ReasonExpired)
	}
	cancelled, err := r.mark(ctx, c)
	if err != nil {
		return err
	}
	if cancelled {
		return r.cancelRest(ctx, i)
	}
	start := time.Now()
	res, err := r.job.app.Service.PushChunk(ctx, r.job.AppKey, r.msg.id, r.job.TargetType, c.Values()[:grant])
	if err := r.w.endCall(ctx, r.job.app, push.ActionContinuouslyPush, start, err); err != nil {
		return r.failedCall(ctx, i, c, err)
	}
	r.log.Debug("chunk pushed", zap.Int("chunk", c.Index), zap.String("message_id", r.msg.id),
		zap.String("request_id", res.RequestID), zap.Int("targets", grant))
	o := store.Outcome{Pushed: grant}
	if grant < c.Len {
		o.Failed, o.Code = c.Len-grant, store.ReasonOverLimit
	}
	return r.recordPushed(ctx, i, store.ChunkOutcome{Index: c.Index, Outcome: o})
}

// recordPushed records the outcome of chunk i, whose call was delivered:
// while Redis does not answer it is tried again, within the task's lease,
// so that a run that lost Redis for a moment does not push the chunk twice.
func (r *rangeRun) recordPushed(ctx context.Context, i int, o store.ChunkOutcome) error {
	return r.w.durably(ctx, func() error { return r.recordNext(ctx, i, r.next(i), o) })
}

// recheckAfter is the age of the last read of the job's cancel flag after
// which a chunk reads it again before pushing.
const recheckAfter = 50 * time.Millisecond

// mark marks chunk c in flight, its call about to go out, unless the
// recording of the chunk before it did, and reports a cancel: read with
// the marker, or again when the last read is older than recheckAfter, so
// that a cancel stops pushes within that time and one call.
func (r *rangeRun) mark(ctx context.Context, c store.RangeChunk) (bool, error) {
	if r.marked != c.Index {
		cancelled, err := r.w.store.MarkInFlight(ctx, r.job.ID, c.Index, c.Ambiguous, r.token)
		if errors.Is(err, store.ErrNotReplicated) {
			r.marked = c.Index
			r.unmark(ctx, c) // the call does not go out: the marker would count it a possible duplicate
			return false, replicaWait(err)
		}
		if errors.Is(err, store.ErrChunkBusy) {
			r.log.Warn("another run of this range is pushing its chunk: this one stops, and its retry loads what that one recorded",
				zap.Int("chunk", c.Index))
			return false, &WaitError{Delay: time.Second, Reason: "another run is pushing the range", Err: err}
		}
		if err != nil {
			return false, err
		}
		r.marked, r.flagRead = c.Index, time.Now()
		return cancelled, nil
	}
	if time.Since(r.flagRead) <= recheckAfter {
		return false, nil
	}
	cancelled, err := r.w.store.Cancelled(ctx, r.job.ID)
	r.flagRead = time.Now()
	return cancelled, err
}

// unmark clears chunk c's in-flight marker when its call will not go out,
// waiting for Redis as a chunk's outcome does (durably): a marker left
// makes the chunk's next run report its targets as possible duplicates.
func (r *rangeRun) unmark(ctx context.Context, c store.RangeChunk) {
	if r.marked != c.Index {
		return
	}
	r.marked = -1
	ctx = context.WithoutCancel(ctx) // a run that stops on shutdown clears its marker too
	err := r.w.durably(ctx, func() error { return r.w.store.ClearInFlight(ctx, r.job.ID, c.Index) })
	if err != nil {
		r.log.Warn("clearing an in-flight marker; the chunk's next run counts it as a possible duplicate", zap.Error(err))
	}
}

// next is the chunk whose call goes out after chunk i's in this run,
// store.NoNext when none does: its marker is set with chunk i's outcome.
func (r *rangeRun) next(i int) store.Next {
	if r.w.store.Replicas() > 0 {
		return store.NoNext // each marker waits for the replicas, in mark
	}
	if i+1 < len(r.chunks) && i+1 < len(r.grants) && r.grants[i+1] > 0 {
		c := r.chunks[i+1]
		return store.Next{Index: c.Index, Token: r.token, Ambiguous: c.Ambiguous}
	}
	return store.NoNext
}

// record counts chunk i's outcome. A cancel seen then stops the range:
// its remaining chunks are counted cancelled.
func (r *rangeRun) record(ctx context.Context, i int, outs ...store.ChunkOutcome) error {
	return r.recordNext(ctx, i, store.NoNext, outs...)
}

// recordNext is record that marks chunk next in flight (store.NoNext:
// none).
func (r *rangeRun) recordNext(ctx context.Context, i int, next store.Next, outs ...store.ChunkOutcome) error {
	w := r.w
	counted, err := w.store.FinishChunks(ctx, r.job.ID, outs, next, w.opts.JobTTL)
	if err != nil {
		return err
	}
	r.flagRead, r.marked = time.Now(), next.Index
	if counted.NextBusy {
		r.marked = -1 // another run holds it: mark finds so, and stops this run
	}
	w.countTargets(counted)
	if counted.Last {
		r.log.Info("last chunk done; finishing the job")
		if err := w.enqueueFinish(ctx, r.job.Job); err != nil {
			return err
		}
	}
	if counted.Cancel && i+1 < len(r.chunks) {
		return r.cancelRest(ctx, i+1)
	}
	return nil
}

// cancelRest counts the chunks from i on cancelled, gives back their
// reservations (a producer's MessageId is shared with other jobs), and
// ends the run.
func (r *rangeRun) cancelRest(ctx context.Context, i int) error {
	rest := r.chunks[i:]
	if !r.job.contentMode() {
		r.msg.id = r.job.MessageID
	}
	if r.msg.id != "" {
		r.release(ctx, rest...)
	}
	outs := make([]store.ChunkOutcome, len(rest))
	for k, c := range rest {
		outs[k] = store.ChunkOutcome{Index: c.Index, Outcome: store.Outcome{Cancelled: c.Len}}
	}
	r.chunks = nil
	return r.record(ctx, 0, outs...)
}

// failRest counts the targets of the chunks from i on failed with code and
// ends the run.
func (r *rangeRun) failRest(ctx context.Context, i int, code string) error {
	rest := r.chunks[i:]
	outs := make([]store.ChunkOutcome, len(rest))
	for k, c := range rest {
		outs[k] = store.ChunkOutcome{Index: c.Index, Outcome: store.Outcome{Failed: c.Len, Code: code}}
	}
	r.chunks = nil
	return r.record(ctx, 0, outs...)
}

// createFailed applies the retry policy to a failure to take the range's
// MessageId. The service refusing the job's message for good fails the
// range, and every other chunk of the job at once; out of retries, a
// transient failure fails the range.
func (r *rangeRun) createFailed(ctx context.Context, err error) error {
	e, ok := push.AsError(err)
	switch {
	case !ok || asWait(err) || e.Class == push.ClassWait || (e.Class == push.ClassTransient && !r.last):
		return r.w.retryPolicy(ctx, r.job.app, err, r.log)
	case e.Class == push.ClassPermanent:
		if err := r.w.store.SetCreateFailed(ctx, r.job.ID, e.Code); err != nil {
			r.log.Warn("recording a refused message", zap.Error(err))
		}
	}
	r.log.Error("could not store the job's message", zap.String("code", e.Code), zap.Error(e))
	if err := r.failRest(ctx, 0, e.Code); err != nil {
		return err
	}
	return fmt.Errorf("job %s: %w: %w", r.job.ID, e, asynq.SkipRetry)
}

// failedCall applies the retry policy to a failed push of chunk i.
func (r *rangeRun) failedCall(ctx context.Context, i int, c store.RangeChunk, err error) error {
	e, ok := push.AsError(err)
	if !ok {
		return err
	}
	log := r.log.With(zap.Int("chunk", c.Index), zap.String("message_id", r.msg.id), zap.String("code", e.Code),
		zap.String("request_id", e.RequestID))
	if asWait(err) { // a clock fault, or the service down: no retry is used
		r.endAttempt(ctx, c, e, log)
		return err
	}
	switch e.Class {
	case push.ClassWait:
		r.endAttempt(ctx, c, e, log)
		return r.w.retryPolicy(ctx, r.job.app, err, log)
	case push.ClassRollover:
		if r.job.contentMode() {
			r.endAttempt(ctx, c, e, log)
			return r.w.messages.rollover(ctx, r.job, r.msg, e.Code)
		}
		return r.failChunk(ctx, i, c, e.WithClass(push.ClassPermanent), log, true) // the producer's MessageId: no rollover
	case push.ClassPermanent:
		return r.failChunk(ctx, i, c, e, log, true)
	}
	r.endAttempt(ctx, c, e, log)
	if !r.last {
		log.Warn("push failed; retrying", zap.Bool("ambiguous", e.Ambiguous), zap.Error(e))
		return fmt.Errorf("pushing chunk %d of job %s: %w", c.Index, r.job.ID, e)
	}
	// Out of retries: the chunk fails, and the range goes on, each of its
	// chunks having had its last attempt. A reservation is kept if the
	// attempt may have been delivered: the service may have counted it.
	return r.failChunk(ctx, i, c, e, log, !e.Ambiguous && c.Ambiguous == 0)
}

// endAttempt ends chunk c's failed attempt: its in-flight marker goes, and
// an attempt that may have been delivered although it failed is counted,
// so that the retry reserves anew and counts its targets as possible
// duplicates.
func (r *rangeRun) endAttempt(ctx context.Context, c store.RangeChunk, e *push.Error, log *zap.Logger) {
	r.marked = -1
	err := r.w.durably(ctx, func() error {
		_, err := r.w.store.EndAttempt(ctx, r.job.ID, c.Index, e.Ambiguous)
		return err
	})
	if err != nil {
		log.Warn("recording the end of an attempt; the chunk's next run counts it as a possible duplicate", zap.Error(err))
	}
}

// failChunk counts chunk i's targets failed with e's code, giving back its
// reservation when release is set, and goes on with the range.
func (r *rangeRun) failChunk(ctx context.Context, i int, c store.RangeChunk, e *push.Error, log *zap.Logger, release bool) error {
	log.Error("chunk failed", zap.Int("targets", c.Len), zap.Error(e))
	if release {
		r.release(ctx, c)
	}
	return r.record(ctx, i, store.ChunkOutcome{Index: c.Index, Outcome: store.Outcome{Failed: c.Len, Code: e.Code}})
}

// enqueueFinish enqueues the job's finish task; a second call while it
// exists does nothing.
func (w *Worker) enqueueFinish(ctx context.Context, j *store.Job) error {
	return w.enqueue(ctx, store.TypeFinish, store.FinishPayload{JobID: j.ID}, w.finishOptions(j)...)
}

// finishOptions are the options of job j's finish task.
func (w *Worker) finishOptions(j *store.Job) []asynq.Option {
	return []asynq.Option{asynq.Queue(j.Queue), asynq.TaskID(store.FinishTaskID(j.ID)), asynq.MaxRetry(w.opts.MaxRetry + 1)}
}

func (w *Worker) countTargets(c store.Counted) {
	w.metrics.targets.WithLabelValues("pushed").Add(float64(c.Pushed))
	w.metrics.targets.WithLabelValues("failed").Add(float64(c.Failed))
	w.metrics.targets.WithLabelValues("cancelled").Add(float64(c.Cancelled))
	w.metrics.duplicates.Add(float64(c.PossibleDuplicates))
}
