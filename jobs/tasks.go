package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hibiken/asynq"

	"github.com/cpush/cpush/internal/store"
)

// Task is one of a job's asynq tasks that asynq still holds: what its web
// UI can show by the task's ID.
type Task struct {
	Queue string
	ID    string
	// Kind says what the task does: plan, chunks, finish, webhook, stats
	// or stats webhook.
	Kind  string
	State string // asynq's: pending, scheduled, active, retry, archived, completed
}

// maxTaskRanges bounds the chunk range tasks Tasks looks for.
const maxTaskRanges = 20

// Tasks returns the tasks of job id that asynq holds: its plan, the range
// tasks of its failed chunks (the first 20), its finish, webhooks and
// statistics refreshes. A task that ran and was not kept is not listed.
// An unknown job returns ErrJobNotFound.
func (c *Client) Tasks(ctx context.Context, id string) ([]Task, error) {
	j, err := c.store.ReadJob(ctx, id)
	if err != nil {
		return nil, err
	}
	stats := store.StatsQueue(c.opts.Prefix)
	want := []Task{{Queue: j.Queue, ID: store.PlanTaskID(id), Kind: "plan"}}
	ranges, err := c.failedRanges(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, first := range ranges {
		want = append(want, Task{Queue: j.Queue, ID: store.ChunksTaskID(id, first), Kind: "chunks"})
	}
	want = append(want, Task{Queue: j.Queue, ID: store.FinishTaskID(id), Kind: "finish"},
		Task{Queue: j.Queue, ID: store.WebhookTaskID(id), Kind: "webhook"},
		Task{Queue: stats, ID: store.StatsWebhookTaskID(id), Kind: "stats webhook"})
	d, _, err := c.store.ReadDelivery(ctx, id)
	if err != nil {
		return nil, err
	}
	rounds := 1
	if d != nil {
		rounds = d.Round + 1
	}
	for r := range rounds {
		want = append(want, Task{Queue: stats, ID: store.StatsTaskID(id, r), Kind: "stats"})
	}
	return c.existing(want)
}

// failedRanges returns the first chunk of each range task with a failed
// chunk, the first maxTaskRanges of them.
func (c *Client) failedRanges(ctx context.Context, id string) ([]int, error) {
	failed, err := c.store.FailedChunks(ctx, id)
	if err != nil {
		return nil, err
	}
	j, err := c.store.ReadJob(ctx, id)
	if err != nil {
		return nil, err
	}
	per := c.opts.Limits.ChunksPerMessageOf(j.ChunkSize)
	var out []int
	for _, f := range failed {
		first := store.RangeFirst(j, f.Index, per)
		if !slices.Contains(out, first) {
			out = append(out, first)
		}
		if len(out) == maxTaskRanges {
			break
		}
	}
	return out, nil
}

// existing returns the tasks of want that asynq holds, with their state.
func (c *Client) existing(want []Task) ([]Task, error) {
	var out []Task
	for _, t := range want {
		info, err := c.insp.GetTaskInfo(t.Queue, t.ID)
		switch {
		case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
			continue
		case err != nil:
			return nil, fmt.Errorf("reading task %s: %w", t.ID, err)
		}
		t.State = info.State.String()
		out = append(out, t)
	}
	return out, nil
}
