package jobs

import (
	"context"
	"time"

	"github.com/cpush/cpush/internal/store"
)

// Job statuses.
const (
	StatusStaging   = store.StatusStaging   // the producer is writing the targets
	StatusQueued    = store.StatusQueued    // staged; the plan task waits
	StatusRunning   = store.StatusRunning   // chunk tasks are enqueued
	StatusFinishing = store.StatusFinishing // every chunk is done; MessageIds are being completed
	StatusCompleted = store.StatusCompleted // every target was pushed
	StatusFailed    = store.StatusFailed    // some targets failed (see the failure codes)
	StatusCancelled = store.StatusCancelled // cancelled; some targets were not pushed
)

// Final reports whether status is one a job ends in.
func Final(status string) bool { return store.Final(status) }

// Status is a job's progress: the summary that `cpush status --json` and
// the HTTP API print.
type Status struct {
	ID                 string         `json:"id"`
	Status             string         `json:"status"`
	AppKey             int64          `json:"app_key"`
	Target             string         `json:"target"`
	Total              int            `json:"total"`
	Unique             int            `json:"unique"`
	Duplicates         int            `json:"duplicates"`
	Pushed             int            `json:"pushed"`
	Failed             map[string]int `json:"failed"` // by code
	FailedTotal        int            `json:"failed_total"`
	Cancelled          int            `json:"cancelled"`
	PossibleDuplicates int            `json:"possible_duplicates"`
	Chunks             int            `json:"chunks"`
	ChunksDone         int            `json:"chunks_done"`
	MessageIDs         []string       `json:"message_ids"`
	CancelRequested    bool           `json:"cancel_requested,omitempty"`
	// Path is how the job is sent: PathDirect or PathContinuous.
	Path       string    `json:"path"`
	CreatedAt  time.Time `json:"created_at"`
	StartAt    time.Time `json:"start_at,omitzero"` // a scheduled job's start
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// Delivery is the job's delivery statistics; absent before any.
	Delivery *Delivery `json:"delivery,omitempty"`
	// Owner is the job's Job.Owner; never in JSON.
	Owner string `json:"-"`
}

// Final reports whether the job has ended.
func (s *Status) Final() bool { return Final(s.Status) }

// Summary is a job's summary as `cpush status --json`, the HTTP API and
// the completion webhook give it. Its JSON names are a contract.
type Summary struct {
	ID                 string         `json:"id"`
	Status             string         `json:"status"`
	Total              int            `json:"total"`
	Unique             int            `json:"unique"`
	Duplicates         int            `json:"duplicates"`
	Pushed             int            `json:"pushed"`
	Failed             map[string]int `json:"failed"`
	Cancelled          int            `json:"cancelled"`
	PossibleDuplicates int            `json:"possible_duplicates"`
	MessageIDs         []string       `json:"message_ids"`
	Delivery           *Delivery      `json:"delivery,omitempty"`
}

// Summary returns s's summary.
func (s *Status) Summary() Summary {
	return Summary{ID: s.ID, Status: s.Status, Total: s.Total, Unique: s.Unique, Duplicates: s.Duplicates,
		Pushed: s.Pushed, Failed: s.Failed, Cancelled: s.Cancelled, PossibleDuplicates: s.PossibleDuplicates,
		MessageIDs: s.MessageIDs, Delivery: s.Delivery}
}

// Status reads job id's progress. An unknown job returns ErrJobNotFound.
func (c *Client) Status(ctx context.Context, id string) (*Status, error) {
	return statusOf(ctx, c.store, id)
}

func statusOf(ctx context.Context, s *store.Store, id string) (*Status, error) {
	st, err := s.ReadState(ctx, id)
	if err != nil {
		return nil, err
	}
	return newStatus(st), nil
}

// newStatus is the Status of a job's state.
func newStatus(st *store.State) *Status {
	j, p := st.Job, st.Progress
	return &Status{
		ID: j.ID, Status: j.Status, AppKey: j.AppKey, Target: j.TargetType,
		Total: j.Total, Unique: j.Unique, Duplicates: j.Duplicates,
		Pushed: p.Pushed, Failed: p.FailedByCode, FailedTotal: p.Failed, Cancelled: p.Cancelled,
		PossibleDuplicates: p.PossibleDuplicates, Chunks: j.Chunks, ChunksDone: p.ChunksDone,
		MessageIDs: st.MessageIDs, CancelRequested: j.Cancel, Path: j.Path, CreatedAt: j.CreatedAt, StartAt: j.StartAt,
		FinishedAt: j.FinishedAt, Delivery: newDelivery(st.Delivery), Owner: j.Owner,
	}
}
