// Package push is cpush's port to the push service: the calls cpush makes
// (store a message, push it to a chunk of targets, complete it, push a
// message to a few targets in one call, ask for its delivery statistics),
// the Alibaba Cloud implementation on the official Go SDK, and the typed
// error that carries each failure's retry class.
package push

import "context"

// Service is the push service as cpush uses it. Implementations must be safe
// for concurrent use.
type Service interface {
	// CreateMessage stores msg with Push(Target=TBD) and returns its MessageId.
	CreateMessage(ctx context.Context, appKey int64, msg Message) (Result, error)
	// PushChunk sends the stored message to values (at most
	// MaxTargetsPerCall) of the given target type with ContinuouslyPush.
	PushChunk(ctx context.Context, appKey int64, messageID, target string, values []string) (Result, error)
	// CompleteMessage ends a stored message with CompleteContinuouslyPush.
	CompleteMessage(ctx context.Context, appKey int64, messageID string) (Result, error)
	// PushTargets sends msg to values (at most MaxPushTargets of the
	// target type) with one Push call whose Target and TargetValue name
	// them, and returns the MessageId that Push gave the delivery: the
	// direct path of a small job, with no stored message to complete.
	PushTargets(ctx context.Context, appKey int64, msg Message, target string, values []string) (Result, error)
	// QueryStats asks for a message's delivery statistics with
	// QueryPushStatByMsg.
	QueryStats(ctx context.Context, appKey int64, messageID string) (Stats, error)
}

// Result is what a successful call returns.
type Result struct {
	MessageID string
	RequestID string
}
