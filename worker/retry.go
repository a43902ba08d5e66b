package worker

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/cpush/cpush/push"
)

// WaitError asks for the task to run again after Delay without using up a
// retry: the limiter, the service's throttling, a slot being created, or a
// MessageId to roll over (Delay 0).
type WaitError struct {
	Delay  time.Duration
	Reason string
	Err    error
}

// Error says why the task waits.
func (e *WaitError) Error() string {
	s := fmt.Sprintf("waiting %s: %s", e.Delay, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *WaitError) Unwrap() error { return e.Err }

// replicaWait sends a task whose in-flight mark the Redis replicas did
// not acknowledge (store.ErrNotReplicated) back to its queue without
// using a retry: pushing waits while no replica acknowledges, however
// long.
func replicaWait(err error) *WaitError {
	return &WaitError{Delay: time.Second, Reason: "Redis replicas did not acknowledge the in-flight mark", Err: err}
}

// IsFailure reports whether err uses up one of the task's retries: every
// error but a *WaitError does.
func IsFailure(err error) bool {
	var w *WaitError
	return !errors.As(err, &w)
}

// retryDelay is the asynq RetryDelayFunc: a WaitError's own delay, else
// exponential backoff from base, capped at max, with full jitter on the
// upper half.
func retryDelay(base, max time.Duration) asynq.RetryDelayFunc {
	return func(n int, err error, _ *asynq.Task) time.Duration {
		var w *WaitError
		if errors.As(err, &w) {
			return w.Delay
		}
		return backoff(n, base, max)
	}
}

func backoff(n int, base, max time.Duration) time.Duration {
	d := max
	if n < 30 && base<<n < max && base<<n > 0 {
		d = base << n
	}
	half := d / 2
	return half + rand.N(half+1)
}

// retryPolicy is the policy for a failure that is not a chunk's own: a
// wait (the service throttled app, which slows the shared rate down) goes
// back to the queue without using a retry; anything else is retried with
// backoff.
func (w *Worker) retryPolicy(ctx context.Context, app App, err error, log *zap.Logger) error {
	e, ok := push.AsError(err)
	if !ok || e.Class != push.ClassWait {
		return err
	}
	w.throttled(ctx, app, e)
	log.Info("throttled by the push service; the shared rate backs off", zap.String("code", e.Code))
	return &WaitError{Delay: waitDelay(e), Reason: "throttled", Err: err}
}

// throttled tells every worker that the service throttled app's action.
func (w *Worker) throttled(ctx context.Context, app App, e *push.Error) {
	if _, err := w.limiter.Throttled(ctx, app, e.Action); err != nil {
		w.opts.Logger.Warn("recording throttling", zap.Error(err))
	}
}

func waitDelay(e *push.Error) time.Duration {
	if e.RetryAfter > 0 {
		return e.RetryAfter
	}
	return time.Second
}
