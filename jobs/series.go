package jobs

import (
	"context"
	"time"
)

// Series is a job's pushed targets over time: how many were pushed in each
// bucket of Width from Start on. Workers count them as they record
// chunks, on the Redis server's clock; the buckets widen as a job runs
// long, so that a job of any length has at most a few hundred.
type Series struct {
	Start  time.Time
	Width  time.Duration
	Pushed []int64
}

// Series reads job id's pushed targets over time; empty before the first
// push. An unknown job's is empty too.
func (c *Client) Series(ctx context.Context, id string) (Series, error) {
	s, err := c.store.ReadSeries(ctx, id)
	if err != nil {
		return Series{}, err
	}
	return Series{Start: s.Start, Width: s.Width, Pushed: s.Pushed}, nil
}
