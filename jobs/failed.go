package jobs

import (
	"context"
	"fmt"

	"github.com/cpush/cpush/internal/store"
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
// gave them: all targets of the chunks that failed, and those after the
// pushed ones of chunks that failed in part. Cancelled targets are not
// failed. A job still running gives those failed so far. An unknown job
// returns ErrJobNotFound; an error of fn stops the listing and is returned.
func (c *Client) Failed(ctx context.Context, id string, fn func(FailedTarget) error) error {
	ok, err := c.store.Exists(ctx, id)
	switch {
	case err != nil:
		return fmt.Errorf("listing failed targets of job %s: %w", id, err)
	case !ok:
		return fmt.Errorf("listing failed targets of job %s: %w", id, ErrJobNotFound)
	}
	failed, err := c.store.FailedChunks(ctx, id)
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

// emitFailed reads the chunks of fs and calls fn with their failed targets.
func (c *Client) emitFailed(ctx context.Context, id string, fs []store.ChunkFailure, fn func(FailedTarget) error) error {
	indexes := make([]int, len(fs))
	for i, f := range fs {
		indexes[i] = f.Index
	}
	chunks, err := c.store.ChunkValues(ctx, id, indexes)
	if err != nil {
		return err
	}
	for i, f := range fs {
		values := chunks[i]
		for _, v := range values[min(f.Pushed, len(values)):] {
			if err := fn(FailedTarget{Target: v, Code: f.Code}); err != nil {
				return err
			}
		}
	}
	return nil
}
