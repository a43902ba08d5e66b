package jobs

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Owner returns the Owner recorded with job id ("" when none was). An
// unknown job returns ErrJobNotFound.
func (c *Client) Owner(ctx context.Context, id string) (string, error) {
	return c.store.Owner(ctx, id)
}

// maxOwnedScan is the most recent jobs one ListOwned call looks at.
const maxOwnedScan = 2000

// ownedBatch is the number of recent jobs whose owners are read per round
// trip.
const ownedBatch = 200

// ListOwned is List of the jobs whose Owner is owner. It looks at no more
// than 2,000 recent jobs a call, so a page may hold fewer than limit jobs,
// even none, and still have a Next cursor: follow it until it is "".
func (c *Client) ListOwned(ctx context.Context, owner, cursor string, limit int) (Page, error) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxListLimit)
	from, err := decodeCursor(cursor)
	if err != nil {
		return Page{}, err
	}
	mine, next, err := c.owned(ctx, owner, from, limit)
	if err != nil {
		return Page{}, fmt.Errorf("listing the recent jobs of an owner: %w", err)
	}
	ids, pageNext, _ := page(mine, limit)
	if pageNext != "" {
		next = pageNext
	}
	jobs, err := c.statuses(ctx, ids)
	if err != nil {
		return Page{}, err
	}
	return Page{Jobs: jobs, Next: next}, nil
}

// owned returns up to limit+1 recent jobs of owner after from, and the
// cursor after the last job looked at when it stopped before the end.
func (c *Client) owned(ctx context.Context, owner string, from *position, limit int) ([]redis.Z, string, error) {
	var mine []redis.Z
	for scanned := 0; scanned < maxOwnedScan; {
		batch, err := c.recentZ(ctx, from, ownedBatch)
		if err != nil {
			return nil, "", err
		}
		ids := make([]string, len(batch))
		for i, z := range batch {
			ids[i] = z.Member.(string)
		}
		owners, err := c.store.Owners(ctx, ids)
		if err != nil {
			return nil, "", err
		}
		for i, z := range batch {
			if owners[i] == owner {
				mine = append(mine, z)
			}
			if len(mine) > limit {
				return mine, "", nil
			}
		}
		scanned += len(batch)
		if len(batch) < ownedBatch {
			return mine, "", nil // the end of the set
		}
		last := batch[len(batch)-1]
		from = &position{ms: int64(last.Score), id: last.Member.(string)}
	}
	return mine, from.cursor(), nil
}
