package jobs

import (
	"fmt"
	"time"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/push"
)

// Limits are the service's rules for one stored message.
type Limits struct {
	// Limit is the most pushes one MessageId takes (10,000).
	Limit int
	// Unit says what a push is: push.UnitTargets (each target value, the
	// strict reading and the default) or push.UnitCalls (each call).
	Unit string
	// TTL is how long a stored message lives (24h).
	TTL time.Duration
}

// DefaultLimits are the documented limits of ContinuouslyPush.
var DefaultLimits = Limits{Limit: 10000, Unit: push.UnitTargets, TTL: 24 * time.Hour}

// Validate names the first bad field.
func (l Limits) Validate() error {
	switch {
	case l.Limit <= 0:
		return fmt.Errorf("message limit: must be positive, not %d", l.Limit)
	case l.Unit != push.UnitTargets && l.Unit != push.UnitCalls:
		return fmt.Errorf("message limit unit: must be %q or %q, not %q", push.UnitTargets, push.UnitCalls, l.Unit)
	case l.Unit == push.UnitTargets && l.Limit < ChunkSize:
		return fmt.Errorf("message limit: %d targets is less than one full call (%d)", l.Limit, ChunkSize)
	case l.TTL <= 0:
		return fmt.Errorf("message TTL: must be positive, not %s", l.TTL)
	}
	return nil
}

// ChunksPerSlot is ChunksPerMessage.
//
// Deprecated: use ChunksPerMessage.
func (l Limits) ChunksPerSlot() int { return l.ChunksPerMessage() }

// ChunksPerMessage is how many full chunks of ChunkSize values one
// MessageId takes.
func (l Limits) ChunksPerMessage() int { return l.ChunksPerMessageOf(ChunkSize) }

// ChunksPerMessageOf is how many full chunks of size values one MessageId
// takes.
func (l Limits) ChunksPerMessageOf(size int) int {
	if l.Unit == push.UnitCalls {
		return l.Limit
	}
	return l.Limit / size
}

// Cost is what a call with n values uses of a MessageId's limit.
func (l Limits) Cost(n int) int {
	if l.Unit == push.UnitCalls {
		return 1
	}
	return n
}

// ChunkSize is the number of targets in a full chunk: the most one
// ContinuouslyPush call takes.
const ChunkSize = store.ChunkSize

// ChunkCount is the number of chunks of ChunkSize for n unique targets.
func ChunkCount(n int) int { return chunkCount(n, ChunkSize) }

func chunkCount(n, size int) int { return (n + size - 1) / size }
