package jobs

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// statusCmds are the reads of one job's status in a pipeline.
type statusCmds struct {
	id                   string
	meta, progress, mids *redis.MapStringStringCmd
}

func readStatusCmds(ctx context.Context, p redis.Pipeliner, keys Keys, id string) statusCmds {
	return statusCmds{
		id:       id,
		meta:     p.HGetAll(ctx, keys.Meta(id)),
		progress: p.HGetAll(ctx, keys.Progress(id)),
		mids:     p.HGetAll(ctx, keys.MessageIDs(id)),
	}
}

// status builds the job's Status, or nil when the job does not exist.
func (s statusCmds) status() *Status {
	if len(s.meta.Val()) == 0 {
		return nil
	}
	st := &Status{ID: s.id, Failed: map[string]int{}}
	st.fromMeta(s.meta.Val())
	st.fromProgress(s.progress.Val())
	st.MessageIDs = messageIDs(s.meta.Val(), s.mids.Val())
	return st
}

// statuses reads the status of each job of ids in one round trip, in
// order. Jobs that no longer exist are left out and removed from the
// recent set.
func (c *Client) statuses(ctx context.Context, ids []string) ([]*Status, error) {
	cmds := make([]statusCmds, len(ids))
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = readStatusCmds(ctx, p, c.keys, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %d recent jobs: %w", len(ids), err)
	}
	out := make([]*Status, 0, len(ids))
	var gone []any
	for _, cmd := range cmds {
		if st := cmd.status(); st != nil {
			out = append(out, st)
		} else {
			gone = append(gone, cmd.id)
		}
	}
	if len(gone) > 0 {
		c.rdb.ZRem(ctx, c.keys.Recent(), gone...) // best effort: a later List tries again
	}
	return out, nil
}
