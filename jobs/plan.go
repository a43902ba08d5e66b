package jobs

import (
	"time"

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
}

func newPlan(job *Job, unique, removed int, opts Options) Plan {
	p := Plan{
		ID:         job.ID,
		Total:      len(job.Targets),
		Unique:     unique,
		Duplicates: removed,
		Chunks:     chunkCount(unique, opts.ValuesPerCall),
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
