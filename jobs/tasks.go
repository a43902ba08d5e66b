package jobs

import (
	"encoding/json"
	"fmt"
)

// Task type names: a wire contract between producers and workers across
// deploys. Never rename one; add a new name instead.
const (
	// TypePlan fans a staged job out into chunk tasks.
	TypePlan = "push:plan"
	// TypeChunk pushes one chunk of at most 1,000 targets.
	TypeChunk = "push:chunk"
	// TypeFinish completes a finished job's MessageIds and sets its status.
	TypeFinish = "push:finish"
	// TypeWebhook POSTs an ended job's summary to its WebhookURL.
	TypeWebhook = "push:webhook"
)

// ChunkSize is the number of targets in a full chunk: the most one
// ContinuouslyPush call takes.
const ChunkSize = 1000

// PlanPayload is the payload of a TypePlan task.
type PlanPayload struct {
	JobID string `json:"job_id"`
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
	// DeliveryID names the delivery in its signature and DeliveryHeader;
	// a task of an older worker has none, and uses WebhookTaskID.
	DeliveryID string `json:"delivery_id,omitempty"`
}

// ChunkTaskID is the asynq task ID of a chunk: enqueuing it twice is refused.
func ChunkTaskID(jobID string, index int) string { return fmt.Sprintf("%s:%d", jobID, index) }

// FinishTaskID is the asynq task ID of a job's finish task.
func FinishTaskID(jobID string) string { return jobID + ":finish" }

// WebhookTaskID is the asynq task ID of a job's completion webhook.
func WebhookTaskID(jobID string) string { return jobID + ":webhook" }

// PlanTaskID is the asynq task ID of a job's plan task.
func PlanTaskID(jobID string) string { return jobID + ":plan" }

// DecodePayload decodes a task payload into v.
func DecodePayload(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decoding task payload: %w", err)
	}
	return nil
}
