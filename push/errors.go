package push

import (
	"errors"
	"fmt"
	"time"
)

// Class says what a failure means for the caller's retry policy.
type Class int

// The error classes (docs/design-notes.md, "Errors and retries").
const (
	// ClassTransient: retry with exponential backoff, up to the retry limit.
	ClassTransient Class = iota
	// ClassWait: the service (or the caller's own limiter) asks to wait;
	// retry after the delay without using up a retry.
	ClassWait
	// ClassRollover: the MessageId can take no more pushes (expired, over
	// its limit, unknown or completed); a fresh one may.
	ClassRollover
	// ClassPermanent: retrying the same call cannot succeed.
	ClassPermanent
	// ClassClock: the service refused the call's timestamp
	// (InvalidTimeStamp.Expired: more than 15 minutes from its clock), so
	// this machine's clock is wrong. The worker is at fault, not the call:
	// wait and alert, never fail targets for it.
	ClassClock
)

// String returns the class name used in logs and metrics.
func (c Class) String() string {
	switch c {
	case ClassWait:
		return "wait"
	case ClassRollover:
		return "rollover"
	case ClassPermanent:
		return "permanent"
	case ClassClock:
		return "clock"
	default:
		return "transient"
	}
}

// CodeNetwork is the Code of an Error that never got an answer from the
// service (connection refused, reset, timed out).
const CodeNetwork = "NetworkError"

// Error is a failed call to the push service.
type Error struct {
	Action     string // ActionPush, ...
	Class      Class
	Code       string // the service's code, or CodeNetwork
	Message    string
	HTTPStatus int    // 0 when no answer came
	RequestID  string // the service's RequestId, when it answered
	// Ambiguous is set when the request may have reached the service and
	// been carried out although the call failed (a read timeout, a dropped
	// connection, an internal error): a retry may deliver twice.
	Ambiguous bool
	// RetryAfter is the delay a ClassWait error advises (0: the caller's default).
	RetryAfter time.Duration
	Err        error // the underlying error, if any
}

// Error describes the failure without any credential.
func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s %s", e.Action, e.Class, e.Code)
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.HTTPStatus)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " [RequestId " + e.RequestID + "]"
	}
	if e.Ambiguous {
		s += " (may have been delivered)"
	}
	return s
}

// Outage reports whether the failure looks like the service, or the way
// to it, being down: no answer at all, or a server fault (5xx) other than
// throttling.
func (e *Error) Outage() bool {
	return e.Class == ClassTransient && (e.Code == CodeNetwork || e.HTTPStatus >= 500)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// WithClass returns a copy of e in class c: a caller for whom the class
// the code suggests does not hold (a refused MessageId that a job cannot
// roll over is permanent to it) says so in logs and errors.
func (e *Error) WithClass(c Class) *Error {
	out := *e
	out.Class = c
	return &out
}

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ClassOf returns the class of err: the class of its *Error, or
// ClassTransient for any other error.
func ClassOf(err error) Class {
	if e, ok := AsError(err); ok {
		return e.Class
	}
	return ClassTransient
}
