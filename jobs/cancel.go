package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cpush/cpush/internal/store"
)

// cancelQueued ends a queued job (a scheduled one waiting for its start,
// or one no worker has taken yet) cancelled at once, when its plan task
// can still be deleted: no worker will ever push it. A plan task already
// running cannot be deleted; its workers then see the cancel flag and
// count the chunks cancelled, as for a running job.
func (c *Client) cancelQueued(ctx context.Context, id string) error {
	j, err := c.store.ReadJob(ctx, id)
	if err != nil {
		return err
	}
	err = c.insp.DeleteTask(j.Queue, store.PlanTaskID(id))
	if err != nil && !errors.Is(err, asynq.ErrTaskNotFound) && !errors.Is(err, asynq.ErrQueueNotFound) {
		return nil // running: the cancel flag stops it
	}
	status, err := c.store.CancelQueued(ctx, id, time.Now(), c.opts.JobTTL)
	if err != nil || status != StatusCancelled || j.WebhookURL == "" {
		return err
	}
	return c.enqueueFinish(ctx, j)
}

// enqueueFinish enqueues the finish task of a job that ended without a
// worker, which sends its completion webhook.
func (c *Client) enqueueFinish(ctx context.Context, j *store.Job) error {
	payload, err := json.Marshal(store.FinishPayload{JobID: j.ID})
	if err != nil {
		return err
	}
	_, err = c.aq.EnqueueContext(ctx, asynq.NewTask(store.TypeFinish, payload), asynq.Queue(j.Queue),
		asynq.TaskID(store.FinishTaskID(j.ID)), asynq.MaxRetry(25))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	return err
}
