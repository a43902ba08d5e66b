package worker

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"
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
