package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/push"
)

// Delivery is a job's delivery statistics: what the service says became of
// its pushes, added up over the job's MessageIds. Workers ask the service
// (QueryPushStatByMsg) after the job ends, then on a schedule over the
// next 24 hours, and when RefreshDelivery asks.
//
// In message-id mode the MessageId is the producer's, and its figures
// count every push made with it, by this job or any other.
type Delivery struct {
	// Totals add up the counts of the job's MessageIds; push.Stats says
	// what each count is, in the service's words.
	Totals push.Stats `json:"totals"`
	// RefreshedAt is the time the figures are as of: the oldest answer of
	// the last full refresh. Absent before the first.
	RefreshedAt time.Time `json:"refreshed_at,omitzero"`
	// Refreshes counts the full refreshes done.
	Refreshes int `json:"refreshes"`
	// NextRefreshAt is when the next scheduled refresh is due; absent when
	// none is.
	NextRefreshAt time.Time `json:"next_refresh_at,omitzero"`
	// Error is a code that some MessageId got instead of its figures in the
	// last full refresh (Forbidden.RAM: the AccessKey may not call
	// QueryPushStatByMsg); absent when all answered.
	Error string `json:"error,omitempty"`
}

// MessageDelivery is one MessageId's delivery statistics.
type MessageDelivery struct {
	MessageID string     `json:"message_id"`
	Stats     push.Stats `json:"stats"`
	// RefreshedAt is when the service was last asked.
	RefreshedAt time.Time `json:"refreshed_at"`
	// Error is the code the service answered the last time instead of the
	// figures, which are then the last it gave; absent when it gave them.
	Error string `json:"error,omitempty"`
}

// StatsEvent is the body of a job's stats webhook: sent once, when the
// first full refresh of its delivery statistics is in (workers with
// CPUSH_WEBHOOK_STATS), after the job's final Summary.
type StatsEvent struct {
	// Event is EventStats.
	Event    string            `json:"event"`
	ID       string            `json:"id"`
	Status   string            `json:"status"`
	Pushed   int               `json:"pushed"`
	Delivery *Delivery         `json:"delivery"`
	Messages []MessageDelivery `json:"messages"`
}

// EventStats is StatsEvent.Event.
const EventStats = store.EventStats

// ErrNoMessageIDs: the job has no MessageId yet, so there are no
// statistics to ask for.
var ErrNoMessageIDs = errors.New("the job has no MessageId yet")

// newDelivery is the Delivery of the store's record; nil for none.
func newDelivery(d *store.Delivery) *Delivery {
	if d == nil {
		return nil
	}
	return &Delivery{Totals: push.StatsOf(d.Totals), RefreshedAt: d.Refreshed, Refreshes: d.Passes,
		NextRefreshAt: d.Next, Error: d.Error}
}

// Delivery reads job id's delivery statistics (nil before any) and those
// of each of its MessageIds that has some, in the job's order of
// MessageIds. An unknown job returns ErrJobNotFound.
func (c *Client) Delivery(ctx context.Context, id string) (*Delivery, []MessageDelivery, error) {
	st, err := c.store.ReadState(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	d, mids, err := c.store.ReadDelivery(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return newDelivery(d), orderMessages(st.MessageIDs, mids), nil
}

// orderMessages returns mids as MessageDelivery in the order of order,
// then any others by MessageId.
func orderMessages(order []string, mids []store.MessageStats) []MessageDelivery {
	rank := make(map[string]int, len(order))
	for i, m := range order {
		rank[m] = i
	}
	slices.SortFunc(mids, func(a, b store.MessageStats) int {
		ra, oka := rank[a.MessageID]
		rb, okb := rank[b.MessageID]
		switch {
		case oka && okb:
			return ra - rb
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		}
		if n := len(a.MessageID) - len(b.MessageID); n != 0 {
			return n // MessageIds are integers: shorter ones are smaller
		}
		return strings.Compare(a.MessageID, b.MessageID)
	})
	out := make([]MessageDelivery, len(mids))
	for i, m := range mids {
		out[i] = MessageDelivery{MessageID: m.MessageID, Stats: push.StatsOf(m.Counts), RefreshedAt: m.At, Error: m.Code}
	}
	return out
}

// RefreshDelivery asks a worker to refresh job id's delivery statistics
// now, apart from the schedule, and returns the time of the ask: the
// refresh is in once Delivery's RefreshedAt reaches it. The job may still
// be running; one without a MessageId yet returns ErrNoMessageIDs.
func (c *Client) RefreshDelivery(ctx context.Context, id string) (time.Time, error) {
	st, err := c.store.ReadState(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	if len(st.MessageIDs) == 0 {
		return time.Time{}, fmt.Errorf("refreshing the statistics of job %s: %w", id, ErrNoMessageIDs)
	}
	asked := time.Now()
	payload, err := json.Marshal(store.StatsPayload{JobID: id, Round: -1, SinceMs: asked.UnixMilli()})
	if err != nil {
		return time.Time{}, err
	}
	_, err = c.aq.EnqueueContext(ctx, asynq.NewTask(store.TypeStats, payload), asynq.Queue(store.StatsQueue(c.opts.Prefix)),
		asynq.TaskID(store.StatsAskTaskID(id, asked)), asynq.MaxRetry(store.StatsMaxRetry))
	if err != nil {
		return time.Time{}, fmt.Errorf("asking for the statistics of job %s: %w", id, err)
	}
	return asked, nil
}
