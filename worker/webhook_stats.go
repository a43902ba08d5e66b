package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/jobs"
)

// loadEvent returns the webhook URL of the job the webhook task names
// ("" for none) and the body of its event: the final summary, or the stats
// event.
func (h *Webhooks) loadEvent(ctx context.Context, p store.WebhookPayload) (string, []byte, error) {
	if p.Event == store.EventStats {
		return h.loadStats(ctx, p.JobID)
	}
	return h.load(ctx, p.JobID)
}

// loadStats returns the job's webhook URL ("" for none) and its stats
// event as JSON: the delivery statistics, in total and per MessageId.
func (h *Webhooks) loadStats(ctx context.Context, id string) (string, []byte, error) {
	st, err := h.jobs.Status(ctx, id)
	if errors.Is(err, jobs.ErrJobNotFound) {
		return "", nil, nil // the job expired
	}
	if err != nil {
		return "", nil, err
	}
	j, err := h.store.ReadJob(ctx, id)
	if err != nil || j.WebhookURL == "" {
		return "", nil, ignoreNotFound(err)
	}
	d, msgs, err := h.jobs.Delivery(ctx, id)
	if err != nil {
		return "", nil, err
	}
	if d == nil {
		return "", nil, fmt.Errorf("stats webhook of job %s: no statistics yet", id)
	}
	body, err := json.Marshal(jobs.StatsEvent{Event: jobs.EventStats, ID: id, Status: st.Status, Pushed: st.Pushed,
		Delivery: d, Messages: msgs})
	if err != nil {
		return "", nil, fmt.Errorf("encoding the stats event of job %s: %w", id, err)
	}
	return j.WebhookURL, body, nil
}
