package store

import (
	"fmt"
	"strconv"
	"strings"
)

// Job statuses, as the meta hash's status field holds them.
const (
	StatusStaging   = "staging"   // the producer is writing the targets
	StatusQueued    = "queued"    // staged; the plan task waits
	StatusRunning   = "running"   // chunk tasks are enqueued
	StatusFinishing = "finishing" // every chunk is done; MessageIds are being completed
	StatusCompleted = "completed" // every target was pushed
	StatusFailed    = "failed"    // some targets failed (see the failure codes)
	StatusCancelled = "cancelled" // cancelled; some targets were not pushed
)

// Final reports whether status is one a job ends in.
func Final(status string) bool {
	return status == StatusCompleted || status == StatusFailed || status == StatusCancelled
}

// Field names of a job's meta hash (Keys.Meta).
const (
	FieldStatus           = "status"
	FieldAppKey           = "app_key"
	FieldTarget           = "target"
	FieldMessage          = "message"
	FieldMessageID        = "message_id"
	FieldMessageCreatedAt = "message_created_ms"
	FieldTotal            = "total"
	FieldUnique           = "unique"
	FieldDuplicates       = "duplicates"
	FieldChunks           = "chunks"
	// FieldChunkSize is the most values of one of the job's chunks: one
	// ContinuouslyPush call (ChunkSize for jobs staged before it existed).
	FieldChunkSize  = "chunk_size"
	FieldPriority   = "priority"
	FieldQueue      = "queue"
	FieldCreatedAt  = "created_ms"
	FieldStartAt    = "start_ms"
	FieldFinishedAt = "finished_ms"
	FieldCancel     = "cancel" // "1" once a cancel was asked for
	// FieldCreateFailed holds the code with which the service refused to
	// store the job's message for good (content mode): its other chunks
	// fail with it at once instead of calling Push again.
	FieldCreateFailed = "create_failed"
	FieldWebhookURL   = "webhook_url" // where the final summary is POSTed
	// FieldOwner names the producer token that created the job (a digest,
	// never the token); empty for jobs of full-access clients.
	FieldOwner = "owner"
	// FieldFinishStarted is when the job's first finish attempt began, ms:
	// finishing is bounded from it.
	FieldFinishStarted = "finish_started_ms"
	// FieldPath is the path the producer chose for the job: PathDirect, or
	// none for the continuous path (jobs of producers before the direct
	// path have none).
	FieldPath = "path"
	// FieldDirectInflight marks a direct job's Push call as begun: when the
	// call began, ms. Set before the call and cleared with its outcome, so
	// that a run that finds it set knows an earlier call may have been
	// delivered (the worker died in it, or it failed ambiguously).
	FieldDirectInflight = "direct_inflight_ms"
)

// Paths a job takes (FieldPath).
const (
	// PathContinuous: Push(Target=TBD), then ContinuouslyPush per chunk
	// (push:plan, push:chunks, push:finish).
	PathContinuous = "continuous"
	// PathDirect: one Push call with the targets, in one push:direct task.
	PathDirect = "direct"
)

// Field names of a job's progress hash (Keys.Progress). Failures are
// counted per code under FailedPrefix+code.
const (
	ProgressPushed             = "pushed"
	ProgressFailed             = "failed"
	ProgressCancelled          = "cancelled"
	ProgressPossibleDuplicates = "possible_duplicates"
	ProgressChunksDone         = "chunks_done"
	FailedPrefix               = "failed:"
)

// Limit units: what counts against a MessageId's total push limit.
const (
	UnitTargets = "targets" // each target value is one push
	UnitCalls   = "calls"   // each call is one push
)

// Reasons a reservation is refused: the codes cpush gives the targets a
// MessageId cannot take (message-id mode) or that roll it over (content
// mode).
const (
	ReasonExpired   = "MessageExpired"
	ReasonOverLimit = "MessageLimitExceeded"
	// ReasonNewEpoch: the MessageId was recorded by an earlier Redis (a
	// restart or a failover since), which may have lost reservations on it.
	ReasonNewEpoch = "RedisRestarted"
)

// Outcome is how a chunk's targets ended, as the done hash records it:
//
//	"pushed"                     every target pushed
//	"cancelled"                  none pushed: the job was cancelled
//	"failed:<code>"              none pushed: all failed with code
//	"partial:<pushed>:<code>"    the first <pushed> targets pushed, the rest failed with code
type Outcome struct {
	Pushed, Failed, Cancelled int
	Code                      string // why the failed ones failed
}

// Outcome kinds, the first word of an outcome's string.
const (
	OutcomePushed    = "pushed"
	OutcomeCancelled = "cancelled"
	OutcomeFailed    = "failed"
	OutcomePartial   = "partial"
)

// String is the outcome as the done hash records it.
func (o Outcome) String() string {
	switch {
	case o.Cancelled > 0:
		return OutcomeCancelled
	case o.Failed > 0 && o.Pushed > 0:
		return fmt.Sprintf("%s:%d:%s", OutcomePartial, o.Pushed, o.Code)
	case o.Failed > 0:
		return OutcomeFailed + ":" + o.Code
	}
	return OutcomePushed
}

// ParseFailure reads the failed part of a recorded outcome: the number of
// targets pushed before the failed ones and the code. ok is false for an
// outcome with no failed target.
func ParseFailure(outcome string) (pushed int, code string, ok bool) {
	if code, ok := strings.CutPrefix(outcome, OutcomeFailed+":"); ok {
		return 0, code, true
	}
	rest, ok := strings.CutPrefix(outcome, OutcomePartial+":")
	if !ok {
		return 0, "", false
	}
	n, code, ok := strings.Cut(rest, ":")
	pushed, err := strconv.Atoi(n)
	if !ok || err != nil || pushed < 0 {
		return 0, "", false
	}
	return pushed, code, true
}

// How finishing left a MessageId (the closed hash's values).
const (
	ClosedCompleted = "completed" // CompleteContinuouslyPush succeeded
	// ClosedGone: the service no longer takes it (expired, already
	// completed or unknown): nothing more to do.
	ClosedGone = "gone"
)

// inflightPrefix prefixes a chunk's in-flight marker in the job's
// ambiguous-attempts hash (Keys.Ambiguous): "f:<index>".
const inflightPrefix = "f:"

// Quota hash fields (Keys.Quota).
const (
	quotaUsed      = "used"
	quotaExpires   = "expires_ms"
	quotaRefPrefix = "r:"
	// quotaEpoch is the epoch of the first reservation (content mode).
	quotaEpoch = "epoch"
)

// Backoff hash fields (Keys.RateBackoff).
const (
	backoffFactor = "factor"
	backoffCut    = "cut_ms"
)
