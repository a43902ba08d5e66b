package store

import (
	"encoding/json"
	"fmt"
)

// Task type names: a wire contract between producers and workers across
// deploys. Never rename one; add a new name instead.
const (
	// TypePlan fans a staged job out into chunk range tasks.
	TypePlan = "push:plan"
	// TypeChunks pushes a range of consecutive chunks, one after another.
	TypeChunks = "push:chunks"
	// TypeChunk pushes one chunk: the task of workers before ranges, still
	// handled so that a rolling upgrade loses none.
	TypeChunk = "push:chunk"
	// TypeFinish completes a finished job's MessageIds and sets its status.
	TypeFinish = "push:finish"
	// TypeWebhook POSTs an ended job's summary to its webhook URL.
	TypeWebhook = "push:webhook"
	// TypeDirect takes a small job through its whole life in one task: one
	// Push call with its targets, then its outcome and final status.
	TypeDirect = "push:direct"
)

// DirectMaxRetry is the asynq MaxRetry of a TypeDirect task: above the
// most retries a worker may be configured with (100), so that the worker,
// not asynq, decides when a direct job's targets fail.
const DirectMaxRetry = 101

// ChunkSize is the number of targets in a full chunk: the most one
// ContinuouslyPush call takes, and the default chunk size.
const ChunkSize = 1000

// RangeSize is the most chunks one TypeChunks task pushes.
const RangeSize = 10

// PlanPayload is the payload of a TypePlan task.
type PlanPayload struct {
	JobID string `json:"job_id"`
}

// ChunksPayload is the payload of a TypeChunks task: chunks First to
// First+Count-1, which push with the job's message number Message (content
// mode).
type ChunksPayload struct {
	JobID   string `json:"job_id"`
	First   int    `json:"first"`
	Count   int    `json:"count"`
	Message int    `json:"message"`
}

// DirectPayload is the payload of a TypeDirect task. AppKey lets the
// worker wait for its account's rate before it reads the job.
type DirectPayload struct {
	JobID  string `json:"job_id"`
	AppKey int64  `json:"app_key"`
}

// ChunkPayload is the payload of a TypeChunk task.
type ChunkPayload struct {
	JobID string `json:"job_id"`
	Index int    `json:"index"`
}

// FinishPayload is the payload of a TypeFinish task.
type FinishPayload struct {
	JobID string `json:"job_id"`
}

// WebhookPayload is the payload of a TypeWebhook task.
type WebhookPayload struct {
	JobID string `json:"job_id"`
	// DeliveryID names the delivery in its signature and delivery header;
	// a task of an older worker has none, and uses WebhookTaskID.
	DeliveryID string `json:"delivery_id,omitempty"`
}

// PlanTaskID is the asynq task ID of a job's plan task.
func PlanTaskID(jobID string) string { return jobID + ":plan" }

// ChunksTaskID is the asynq task ID of the chunk range starting at first:
// enqueuing it twice is refused.
func ChunksTaskID(jobID string, first int) string { return fmt.Sprintf("%s:r%d", jobID, first) }

// DirectTaskID is the asynq task ID of a direct job's task.
func DirectTaskID(jobID string) string { return jobID + ":direct" }

// FinishTaskID is the asynq task ID of a job's finish task.
func FinishTaskID(jobID string) string { return jobID + ":finish" }

// WebhookTaskID is the asynq task ID of a job's completion webhook.
func WebhookTaskID(jobID string) string { return jobID + ":webhook" }

// DecodePayload decodes a task payload into v.
func DecodePayload(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decoding task payload: %w", err)
	}
	return nil
}

// Priorities a job may have.
const (
	PriorityHigh    = "high"
	PriorityDefault = "default"
	PriorityLow     = "low"
)

// QueueOf returns the asynq queue of a priority under namespace ns.
func QueueOf(ns, priority string) string {
	if priority == "" {
		priority = PriorityDefault
	}
	return ns + ":" + priority
}

// Queues returns the asynq queues of the push tasks of namespace ns with
// their weights, for a worker's configuration.
func Queues(ns string) map[string]int {
	return map[string]int{QueueOf(ns, PriorityHigh): 6, QueueOf(ns, PriorityDefault): 3, QueueOf(ns, PriorityLow): 1}
}

// WebhookQueue returns the asynq queue of the completion webhooks of
// namespace ns: apart from the push queues, served by a worker's own
// webhook server with its own concurrency, so that slow receivers hold
// none of the push tasks' capacity.
func WebhookQueue(ns string) string { return ns + ":webhook" }

// WebhookQueues returns the queues of a worker's webhook server with their
// weights: the webhook queue alone.
func WebhookQueues(ns string) map[string]int { return map[string]int{WebhookQueue(ns): 1} }
