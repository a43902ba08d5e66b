package jobs

import (
	"time"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/push"
)

// Plan is what a job will do: its targets, calls and MessageIds.
type Plan struct {
	ID         string `json:"id"`
	Total      int    `json:"total"`      // targets given
	Unique     int    `json:"unique"`     // targets after duplicates are removed
	Duplicates int    `json:"duplicates"` // duplicates removed
	Chunks     int    `json:"chunks"`     // ContinuouslyPush calls, at most ValuesPerCall targets each
	// MessageIDs is the number of MessageIds the job uses: in content mode
	// as many as the limit needs; in message-id mode the one given.
	MessageIDs int `json:"message_ids"`
	// OverLimit is the number of targets that cannot fit within the given
	// MessageId's limit (message-id mode; assuming no other job uses it).
	OverLimit int `json:"over_limit,omitempty"`
	// Estimated is the sending time at the configured ContinuouslyPush rate.
	Estimated time.Duration `json:"estimated_ns"`
	// Path is how the job is sent: PathDirect (one Push call with its
	// targets, in one task) or PathContinuous (a stored message and
	// ContinuouslyPush calls).
	Path string `json:"path"`
}

// Paths a job takes (Plan.Path, Status.Path).
const (
	// PathDirect: a content-mode job whose unique targets fit one Push call
	// of its target type (push.MaxPushTargets) is sent with that one call,
	// with no stored message, ContinuouslyPush or completion, in one task.
	PathDirect = store.PathDirect
	// PathContinuous: Push(Target=TBD) stores the message, ContinuouslyPush
	// sends it to each chunk, CompleteContinuouslyPush ends it.
	PathContinuous = store.PathContinuous
)

// direct reports whether a job of unique targets takes the direct path.
func direct(job *Job, unique int, opts Options) bool {
	// The values travel in the request URL, as a ContinuouslyPush call's
	// do: values per call bounds a direct call too.
	return !opts.NoDirect && job.Message != nil && unique > 0 &&
		unique <= min(push.MaxPushTargets[job.TargetType], opts.ValuesPerCall)
}

func newPlan(job *Job, unique, removed int, opts Options) Plan {
	p := Plan{
		ID:         job.ID,
		Total:      len(job.Targets),
		Unique:     unique,
		Duplicates: removed,
		Chunks:     chunkCount(unique, opts.ValuesPerCall),
		Path:       PathContinuous,
	}
	if direct(job, unique, opts) {
		p.Path, p.MessageIDs = PathDirect, 1
		return p
	}
	p.Estimated = time.Duration(p.Chunks) * time.Second / time.Duration(opts.Rate)
	per := opts.Limits.ChunksPerMessageOf(opts.ValuesPerCall)
	if job.MessageID == "" {
		p.MessageIDs = (p.Chunks + per - 1) / per
		return p
	}
	p.MessageIDs = 1
	if opts.Limits.Unit == push.UnitCalls {
		p.OverLimit = max(0, unique-opts.Limits.Limit*opts.ValuesPerCall)
	} else {
		p.OverLimit = max(0, unique-opts.Limits.Limit)
	}
	return p
}
