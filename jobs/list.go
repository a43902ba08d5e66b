package jobs

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// MaxListLimit is the most jobs one List call returns.
const MaxListLimit = 100

// DefaultListLimit is the number of jobs List returns when asked for 0.
const DefaultListLimit = 20

// ErrBadCursor: a List cursor that List did not give.
var ErrBadCursor = errors.New("not a cursor that a job listing gave")

// Page is one page of recent jobs, newest first.
type Page struct {
	Jobs []*Status `json:"jobs"`
	// Next is the cursor of the page after this one; "" on the last page.
	Next string `json:"next_cursor,omitempty"`
}

// List returns up to limit (DefaultListLimit when 0, at most MaxListLimit)
// of the jobs enqueued most recently, newest first, from the one after
// cursor ("" for the newest). A page's Next cursor stays valid as new jobs
// arrive: they never shift a later page. Jobs whose keys have expired are
// skipped and forgotten.
func (c *Client) List(ctx context.Context, cursor string, limit int) (Page, error) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxListLimit)
	from, err := decodeCursor(cursor)
	if err != nil {
		return Page{}, err
	}
	ids, next, err := c.recent(ctx, from, limit)
	if err != nil {
		return Page{}, fmt.Errorf("listing recent jobs: %w", err)
	}
	jobs, err := c.statuses(ctx, ids)
	if err != nil {
		return Page{}, err
	}
	return Page{Jobs: jobs, Next: next}, nil
}

// position is a place in the recent set: a score and the member there.
type position struct {
	ms int64
	id string
}

func (p position) cursor() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(p.ms, 10) + ":" + p.id))
}

// decodeCursor reverses cursor; "" is the start (no position). Only a
// cursor that position.cursor could have made is taken: a time that is not
// negative, a valid job ID and the canonical encoding of both, so that a
// cursor a client mangled is refused rather than listing from elsewhere.
func decodeCursor(cursor string) (*position, error) {
	if cursor == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	ms, id, ok := strings.Cut(string(raw), ":")
	n, perr := strconv.ParseInt(ms, 10, 64)
	p := position{ms: n, id: id}
	if err != nil || !ok || perr != nil || n < 0 || !validID(id) || p.cursor() != cursor {
		return nil, fmt.Errorf("cursor %q: %w", cursor, ErrBadCursor)
	}
	return &p, nil
}

// recent returns the IDs of up to limit jobs after from, newest first, and
// the cursor of the next page.
func (c *Client) recent(ctx context.Context, from *position, limit int) ([]string, string, error) {
	got, err := c.recentZ(ctx, from, limit+1)
	if err != nil {
		return nil, "", err
	}
	return page(got, limit)
}

// recentZ returns up to n jobs of the recent set after from, newest
// first, with their scores; fewer only at the end of the set.
func (c *Client) recentZ(ctx context.Context, from *position, n int) ([]redis.Z, error) {
	max := "+inf"
	if from != nil {
		max = strconv.FormatInt(from.ms, 10)
	}
	var got []redis.Z
	for offset := int64(0); len(got) < n; {
		batch, err := c.store.Recent(ctx, max, offset, int64(n))
		if err != nil {
			return nil, err
		}
		got = append(got, after(batch, from)...)
		if len(batch) < n {
			break
		}
		offset += int64(len(batch))
	}
	return got[:min(len(got), n)], nil
}

// after drops the members of batch at or before from: those of from's
// score that sort at or above from's ID (ZREVRANGE orders ties by member,
// descending).
func after(batch []redis.Z, from *position) []redis.Z {
	if from == nil {
		return batch
	}
	out := batch[:0]
	for _, z := range batch {
		if int64(z.Score) == from.ms && z.Member.(string) >= from.id {
			continue
		}
		out = append(out, z)
	}
	return out
}

func page(got []redis.Z, limit int) ([]string, string, error) {
	next := ""
	if len(got) > limit {
		got = got[:limit]
		last := got[limit-1]
		next = position{ms: int64(last.Score), id: last.Member.(string)}.cursor()
	}
	ids := make([]string, len(got))
	for i, z := range got {
		ids[i] = z.Member.(string)
	}
	return ids, next, nil
}

// statuses reads the status of each job of ids in one round trip, in
// order. Jobs that no longer exist are left out and forgotten.
func (c *Client) statuses(ctx context.Context, ids []string) ([]*Status, error) {
	states, err := c.store.ReadStates(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*Status, 0, len(ids))
	var gone []string
	for i, st := range states {
		if st == nil {
			gone = append(gone, ids[i])
			continue
		}
		out = append(out, newStatus(st))
	}
	c.store.Forget(ctx, gone...)
	return out, nil
}
