package worker

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/store"
)

// beginCall readies a call of action for app: it waits out a clock fault
// or an open breaker (guard.go), then takes a call from the shared limiter.
func (w *Worker) beginCall(ctx context.Context, app App, action string) error {
	if err := w.guard.admit(ctx, app); err != nil {
		return err
	}
	_, err := w.limiter.Wait(ctx, app, action)
	return err
}

// endCall counts a call of action that began at start and returns the
// error its caller must handle: err, or a *WaitError wrapping it when it
// is a clock fault or found the service down (guard.record).
func (w *Worker) endCall(ctx context.Context, app App, action string, start time.Time, err error) error {
	w.metrics.observeCall(action, start, err)
	return w.guard.record(ctx, app, err)
}

// redisPatience is how long a write that must not be lost (the outcome of
// a chunk whose call went out) is tried again while Redis does not answer:
// within the task's lease (30 s), so that a Redis restart or failover of a
// few seconds costs no chunk a second push.
const redisPatience = 20 * time.Second

// durably runs write, and runs it again while Redis does not answer (no
// connection, a timeout, or a server that is loading, read-only after a
// failover, or without a master), for up to redisPatience.
func (w *Worker) durably(ctx context.Context, write func() error) error {
	deadline := time.Now().Add(redisPatience)
	wait := 50 * time.Millisecond
	for {
		err := write()
		if err == nil || !redisAway(err) || ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			return err
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// awaitRedis holds a task whose handler failed while Redis did not answer
// until Redis answers again, for up to redisPatience, before handing asynq
// the error: asynq records a task's retry in Redis, and a retry it could
// not record waits for the recovery of the task's lease (one to two
// minutes) instead of its backoff.
func (w *Worker) awaitRedis(h asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		err := h.ProcessTask(ctx, t)
		if err != nil && redisAway(err) {
			rdb := w.store.Redis()
			_ = w.durably(ctx, func() error { return rdb.Ping(ctx).Err() })
		}
		return err
	})
}

// redisAway reports whether err says Redis did not answer, or could not
// take a write for now, rather than refusing it.
func redisAway(err error) bool {
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, store.ErrNotFound)
	}
	for _, prefix := range []string{"READONLY", "LOADING", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN"} {
		if redis.HasErrorPrefix(err, prefix) {
			return true
		}
	}
	return false
}
