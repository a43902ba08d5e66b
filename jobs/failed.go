package jobs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// FailedTarget is a target that was not pushed, with the code of its
// failure (e.g. MessageLimitExceeded).
type FailedTarget struct {
	Target string `json:"target"`
	Code   string `json:"code"`
}

// failedBatch is the number of chunks read per round trip by Failed.
const failedBatch = 16

// Failed calls fn with every failed target of job id, in the order the job
// gave them: all targets of the chunks whose outcome is "failed:<code>",
// and those after the pushed ones of "partial:<pushed>:<code>". Cancelled
// targets are not failed. A job still running gives those failed so far.
// An unknown job returns ErrJobNotFound; an error of fn stops the listing
// and is returned.
func (c *Client) Failed(ctx context.Context, id string, fn func(FailedTarget) error) error {
	n, err := c.rdb.Exists(ctx, c.keys.Meta(id)).Result()
	switch {
	case err != nil:
		return fmt.Errorf("listing failed targets of job %s: %w", id, err)
	case n == 0:
		return fmt.Errorf("listing failed targets of job %s: %w", id, ErrJobNotFound)
	}
	failed, err := c.failedChunks(ctx, id)
	if err != nil {
		return err
	}
	for start := 0; start < len(failed); start += failedBatch {
		if err := c.emitFailed(ctx, id, failed[start:min(start+failedBatch, len(failed))], fn); err != nil {
			return err
		}
	}
	return nil
}

// chunkFailure is a chunk some of whose targets failed.
type chunkFailure struct {
	index  int
	pushed int // the first pushed targets were pushed
	code   string
}

// failedChunks scans the job's done hash for failed and partial chunks,
// in chunk order.
func (c *Client) failedChunks(ctx context.Context, id string) ([]chunkFailure, error) {
	var out []chunkFailure
	iter := c.rdb.HScan(ctx, c.keys.Done(id), 0, "", 1000).Iterator()
	for iter.Next(ctx) {
		field := iter.Val()
		if !iter.Next(ctx) {
			break
		}
		index, err := strconv.Atoi(field)
		if f, ok := parseFailure(iter.Val()); ok && err == nil {
			f.index = index
			out = append(out, f)
		}
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("reading the chunk outcomes of job %s: %w", id, err)
	}
	slices.SortFunc(out, func(a, b chunkFailure) int { return a.index - b.index })
	return out, nil
}

// parseFailure reads an outcome of the done hash (see OutcomeFailed).
func parseFailure(outcome string) (chunkFailure, bool) {
	if code, ok := strings.CutPrefix(outcome, OutcomeFailed+":"); ok {
		return chunkFailure{code: code}, true
	}
	rest, ok := strings.CutPrefix(outcome, OutcomePartial+":")
	if !ok {
		return chunkFailure{}, false
	}
	pushed, code, ok := strings.Cut(rest, ":")
	n, err := strconv.Atoi(pushed)
	if !ok || err != nil || n < 0 {
		return chunkFailure{}, false
	}
	return chunkFailure{pushed: n, code: code}, true
}

// emitFailed reads the chunks of fs and calls fn with their failed targets.
func (c *Client) emitFailed(ctx context.Context, id string, fs []chunkFailure, fn func(FailedTarget) error) error {
	fields := make([]string, len(fs))
	for i, f := range fs {
		fields[i] = strconv.Itoa(f.index)
	}
	chunks, err := c.rdb.HMGet(ctx, c.keys.Chunks(id), fields...).Result()
	if err != nil {
		return fmt.Errorf("reading failed chunks of job %s: %w", id, err)
	}
	for i, f := range fs {
		packed, ok := chunks[i].(string)
		if !ok {
			return fmt.Errorf("chunk %d of job %s: %w", f.index, id, ErrJobNotFound)
		}
		values := strings.Split(packed, "\n")
		for _, v := range values[min(f.pushed, len(values)):] {
			if err := fn(FailedTarget{Target: v, Code: f.code}); err != nil {
				return err
			}
		}
	}
	return nil
}
