package jobs

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/store"
)

// Names that moved to cpush's store, the one package that owns Redis. They
// were never meant for producers; they stay for one release.
//
// Deprecated: these are internal to cpush.
type (
	Keys           = store.Keys
	PlanPayload    = store.PlanPayload
	ChunkPayload   = store.ChunkPayload
	FinishPayload  = store.FinishPayload
	WebhookPayload = store.WebhookPayload
)

// Deprecated: internal to cpush.
const (
	FieldStatus                = store.FieldStatus
	FieldAppKey                = store.FieldAppKey
	FieldTarget                = store.FieldTarget
	FieldMessage               = store.FieldMessage
	FieldMessageID             = store.FieldMessageID
	FieldMessageCreatedAt      = store.FieldMessageCreatedAt
	FieldTotal                 = store.FieldTotal
	FieldUnique                = store.FieldUnique
	FieldDuplicates            = store.FieldDuplicates
	FieldChunks                = store.FieldChunks
	FieldPriority              = store.FieldPriority
	FieldQueue                 = store.FieldQueue
	FieldCreatedAt             = store.FieldCreatedAt
	FieldStartAt               = store.FieldStartAt
	FieldFinishedAt            = store.FieldFinishedAt
	FieldCancel                = store.FieldCancel
	FieldCreateFailed          = store.FieldCreateFailed
	FieldWebhookURL            = store.FieldWebhookURL
	OutcomePushed              = store.OutcomePushed
	OutcomeCancelled           = store.OutcomeCancelled
	OutcomeFailed              = store.OutcomeFailed
	OutcomePartial             = store.OutcomePartial
	ProgressPushed             = store.ProgressPushed
	ProgressFailed             = store.ProgressFailed
	ProgressCancelled          = store.ProgressCancelled
	ProgressPossibleDuplicates = store.ProgressPossibleDuplicates
	ProgressChunksDone         = store.ProgressChunksDone
	FailedPrefix               = store.FailedPrefix
	TypePlan                   = store.TypePlan
	TypeChunk                  = store.TypeChunk
	TypeFinish                 = store.TypeFinish
	TypeWebhook                = store.TypeWebhook
)

// Deprecated: internal to cpush.
var (
	ChunkTaskID   = func(jobID string, index int) string { return fmt.Sprintf("%s:%d", jobID, index) }
	FinishTaskID  = store.FinishTaskID
	WebhookTaskID = store.WebhookTaskID
	PlanTaskID    = store.PlanTaskID
	DecodePayload = store.DecodePayload
	QueueOf       = store.QueueOf
	Queues        = store.Queues
)

// ReadStatus reads job id's progress from rdb.
//
// Deprecated: use Client.Status.
func ReadStatus(ctx context.Context, rdb redis.UniversalClient, keys Keys, id string) (*Status, error) {
	return statusOf(ctx, store.New(rdb, keys.Prefix), id)
}
