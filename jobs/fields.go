package jobs

// Job statuses.
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
	FieldLastChunkSize    = "last_chunk"
	FieldPriority         = "priority"
	FieldQueue            = "queue"
	FieldCreatedAt        = "created_ms"
	FieldStartAt          = "start_ms"
	FieldFinishedAt       = "finished_ms"
	FieldCancel           = "cancel" // "1" once a cancel was asked for
	// FieldCreateFailed holds the code with which the service refused to
	// store the job's message for good (content mode): its other chunks
	// fail with it at once instead of calling Push again.
	FieldCreateFailed = "create_failed"
	FieldWebhookURL   = "webhook_url" // where the final summary is POSTed
	FieldOwner        = "owner"       // who created the job (Job.Owner), if recorded
)

// Outcomes of a chunk as its job's done hash (Keys.Done) records them:
//
//	"pushed"                     every target pushed
//	"cancelled"                  none pushed: the job was cancelled
//	"failed:<code>"              none pushed: all failed with code
//	"partial:<pushed>:<code>"    the first <pushed> targets pushed, the rest failed with code
const (
	OutcomePushed    = "pushed"
	OutcomeCancelled = "cancelled"
	OutcomeFailed    = "failed"
	OutcomePartial   = "partial"
)

// Field names of a job's progress hash (Keys.Progress). Failures are counted
// per code under FailedPrefix+code.
const (
	ProgressPushed             = "pushed"
	ProgressFailed             = "failed"
	ProgressCancelled          = "cancelled"
	ProgressPossibleDuplicates = "possible_duplicates"
	ProgressChunksDone         = "chunks_done"
	FailedPrefix               = "failed:"
)
