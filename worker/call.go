package worker

import (
	"context"
	"time"
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
