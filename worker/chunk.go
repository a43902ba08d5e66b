package worker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// chunkRun is one run of a chunk task.
type chunkRun struct {
	w      *Worker
	job    *job
	index  int
	values []string
	msg    slotMessage
	log    *zap.Logger
	// slots are the chunk's slot and the lookahead slots as loaded.
	slots []string
}

// handleChunk pushes one chunk: skip it if done or cancelled, take its
// MessageId, reserve its pushes, wait for the shared limiter, push, and
// count the outcome. The run that finishes the job's last chunk enqueues
// the finish task.
func (w *Worker) handleChunk(ctx context.Context, t *asynq.Task) error {
	var p jobs.ChunkPayload
	if err := jobs.DecodePayload(t.Payload(), &p); err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	st, err := w.loadChunk(ctx, p.JobID, p.Index)
	if errors.Is(err, errJobGone) {
		w.opts.Logger.Warn("chunk of a job that no longer exists", zap.String("job_id", p.JobID), zap.Int("chunk", p.Index))
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	if st.done {
		if st.job.status == jobs.StatusFinishing {
			return w.enqueueFinish(ctx, st.job) // in case the run that finished it could not
		}
		return nil
	}
	r := &chunkRun{w: w, job: st.job, index: p.Index, values: st.values, slots: st.slots,
		log: w.opts.Logger.With(zap.String("job_id", p.JobID), zap.Int("chunk", p.Index))}
	if st.job.cancel {
		if st.job.message == nil {
			// A run that waited for the limiter may hold a reservation on
			// the producer's MessageId, which other jobs share: give it back.
			r.msg = slotMessage{id: st.job.messageID}
			r.release(ctx)
		}
		return r.finish(ctx, outcome{cancelled: len(r.values)})
	}
	if code := st.job.createFailed; code != "" {
		return r.finish(ctx, outcome{failed: len(r.values), code: code})
	}
	return r.run(ctx)
}

func (r *chunkRun) ref() string { return jobs.ChunkTaskID(r.job.id, r.index) }

func (r *chunkRun) quotaKey() string { return r.w.keys.Quota(r.job.appKey, r.msg.id) }

func (r *chunkRun) run(ctx context.Context) error {
	var err error
	if r.msg, err = r.w.messageFor(ctx, r.job, r.index, r.slots); err != nil {
		return r.serviceError(ctx, err)
	}
	grant, reason, err := r.reserve(ctx)
	if err != nil {
		return err
	}
	if grant == 0 {
		return r.refused(ctx, reason)
	}
	waited, err := r.w.limiter.Wait(ctx, r.job.app, push.ActionContinuouslyPush)
	if err != nil {
		return err
	}
	if waited > recheckAfter {
		// The cancel flag was read when the chunk was loaded; read it again
		// after a long wait, so a cancel stops pushes within one chunk's time.
		cancelled, err := r.w.cancelled(ctx, r.job.id)
		if err != nil {
			return err
		}
		if cancelled {
			r.release(ctx)
			return r.finish(ctx, outcome{cancelled: len(r.values)})
		}
	}
	return r.push(ctx, grant)
}

// recheckAfter is the limiter wait after which a chunk reads the job's
// cancel flag again before pushing.
const recheckAfter = 50 * time.Millisecond

func (r *chunkRun) reserve(ctx context.Context) (int, string, error) {
	limits := r.w.opts.Limits
	partial := "0"
	if r.job.message == nil {
		partial = "1"
	}
	res, err := reserveScript.Run(ctx, r.w.rdb, []string{r.quotaKey()}, r.ref(), len(r.values), limits.Limit, limits.Unit,
		r.msg.expiresAt.UnixMilli(), time.Now().UnixMilli(), r.w.opts.ExpiryMargin.Milliseconds(), partial).Slice()
	if err != nil {
		return 0, "", fmt.Errorf("reserving pushes of chunk %d of job %s on %s: %w", r.index, r.job.id, r.msg.id, err)
	}
	grant, _ := res[0].(int64)
	reason, _ := res[1].(string)
	return int(grant), reason, nil
}

func (r *chunkRun) release(ctx context.Context) {
	if err := releaseScript.Run(ctx, r.w.rdb, []string{r.quotaKey()}, r.ref(), r.w.opts.Limits.Unit).Err(); err != nil {
		r.log.Warn("releasing a reservation", zap.String("message_id", r.msg.id), zap.Error(err))
	}
}

// refused handles a MessageId that cannot take the chunk: content mode rolls
// over to a fresh one; message-id mode fails the targets with the reason.
func (r *chunkRun) refused(ctx context.Context, reason string) error {
	if r.job.message != nil {
		return r.w.rollover(ctx, r.job, r.msg, reason)
	}
	r.log.Warn("targets over the MessageId's rules", zap.String("message_id", r.msg.id), zap.String("code", reason))
	return r.finish(ctx, outcome{failed: len(r.values), code: reason})
}

func (r *chunkRun) push(ctx context.Context, grant int) error {
	start := time.Now()
	res, err := r.job.app.Service.PushChunk(ctx, r.job.appKey, r.msg.id, r.job.target, r.values[:grant])
	r.w.metrics.observeCall(push.ActionContinuouslyPush, start, err)
	if err != nil {
		return r.serviceError(ctx, err)
	}
	r.log.Debug("chunk pushed", zap.String("message_id", r.msg.id), zap.String("request_id", res.RequestID), zap.Int("targets", grant))
	o := outcome{pushed: grant}
	if grant < len(r.values) {
		o.failed, o.code = len(r.values)-grant, push.CodeMessageLimitExceeded
	}
	return r.finish(ctx, o)
}

// serviceError applies the retry policy to a failed call.
func (r *chunkRun) serviceError(ctx context.Context, err error) error {
	e, ok := push.AsError(err)
	if !ok {
		return err // Redis or the limiter: retry with backoff
	}
	log := r.log.With(zap.String("message_id", r.msg.id), zap.String("code", e.Code), zap.String("request_id", e.RequestID))
	switch e.Class {
	case push.ClassWait:
		f, ferr := r.w.limiter.Throttled(ctx, r.job.app, e.Action)
		log.Info("throttled by the push service; the shared rate backs off", zap.Float64("rate_factor", f), zap.Error(ferr))
		return &WaitError{Delay: waitDelay(e), Reason: "throttled", Err: err}
	case push.ClassRollover:
		if r.job.message != nil && r.msg.value != "" {
			return r.w.rollover(ctx, r.job, r.msg, e.Code)
		}
		r.release(ctx)
		return r.failChunk(ctx, e, log)
	case push.ClassPermanent:
		if e.Action == push.ActionPush {
			r.w.recordCreateFailed(ctx, r.job.id, e.Code)
		}
		r.release(ctx)
		return r.failChunk(ctx, e, log)
	}
	return r.transient(ctx, e, log)
}

// recordCreateFailed marks the job's message as refused for good, so its
// other chunks fail at once.
func (w *Worker) recordCreateFailed(ctx context.Context, id, code string) {
	if err := w.rdb.HSet(ctx, w.keys.Meta(id), jobs.FieldCreateFailed, code).Err(); err != nil {
		w.opts.Logger.Warn("recording a refused message", zap.String("job_id", id), zap.Error(err))
	}
}

func waitDelay(e *push.Error) time.Duration {
	if e.RetryAfter > 0 {
		return e.RetryAfter
	}
	return time.Second
}

func (r *chunkRun) transient(ctx context.Context, e *push.Error, log *zap.Logger) error {
	if e.Ambiguous {
		r.markAmbiguous(ctx)
	}
	retried, _ := asynq.GetRetryCount(ctx)
	if retried < r.w.opts.MaxRetry {
		log.Warn("push failed; retrying", zap.Int("retried", retried), zap.Bool("ambiguous", e.Ambiguous), zap.Error(e))
		return fmt.Errorf("pushing chunk %d of job %s: %w", r.index, r.job.id, e)
	}
	// Out of retries. A reservation is kept if any attempt may have been
	// delivered: the service may have counted it.
	if !r.wasAmbiguous(ctx) {
		r.release(ctx)
	}
	return r.failChunk(ctx, e, log)
}

func (r *chunkRun) markAmbiguous(ctx context.Context) {
	if err := r.w.rdb.HIncrBy(ctx, r.w.keys.Ambiguous(r.job.id), strconv.Itoa(r.index), 1).Err(); err != nil {
		r.log.Warn("recording an ambiguous attempt", zap.Error(err))
	}
}

func (r *chunkRun) wasAmbiguous(ctx context.Context) bool {
	n, _ := r.w.rdb.HGet(ctx, r.w.keys.Ambiguous(r.job.id), strconv.Itoa(r.index)).Int()
	return n > 0
}

// failChunk counts the chunk's targets failed with the error's code, and
// ends the task without retries.
func (r *chunkRun) failChunk(ctx context.Context, e *push.Error, log *zap.Logger) error {
	log.Error("chunk failed", zap.Int("targets", len(r.values)), zap.Error(e))
	if err := r.finish(ctx, outcome{failed: len(r.values), code: e.Code}); err != nil {
		return err
	}
	return fmt.Errorf("chunk %d of job %s failed: %w: %w", r.index, r.job.id, e, asynq.SkipRetry)
}
