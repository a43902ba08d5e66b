package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
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
	// TypeStats asks the service for the delivery statistics of an ended
	// job's MessageIds (QueryPushStatByMsg) and records them with the job.
	TypeStats = "push:stats"
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

// PlanMaxRetry is the asynq MaxRetry of a TypePlan task.
const PlanMaxRetry = 25

// StartTask is the task that starts staged job j: its plan task, or on
// the direct path the one task of its whole life, at its start time.
func StartTask(j *Job) (typ string, payload any, opts []asynq.Option) {
	typ, taskID, retries := TypePlan, PlanTaskID(j.ID), PlanMaxRetry
	payload = PlanPayload{JobID: j.ID}
	if j.Direct() {
		typ, taskID, retries = TypeDirect, DirectTaskID(j.ID), DirectMaxRetry
		payload = DirectPayload{JobID: j.ID, AppKey: j.AppKey}
	}
	opts = []asynq.Option{asynq.Queue(j.Queue), asynq.TaskID(taskID), asynq.MaxRetry(retries)}
	if !j.StartAt.IsZero() {
		opts = append(opts, asynq.ProcessAt(notBefore(j.StartAt)))
	}
	return typ, payload, opts
}

// notBefore rounds t up to a whole second: asynq schedules in whole seconds
// (it truncates), which would start a job up to a second early.
func notBefore(t time.Time) time.Time {
	if r := t.Truncate(time.Second); !r.Equal(t) {
		return r.Add(time.Second)
	}
	return t
}

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
	// Event is what the webhook tells: "" (the job ended, its final
	// summary) or EventStats.
	Event string `json:"event,omitempty"`
}

// EventStats is the WebhookPayload.Event of the webhook sent when a job's
// first full refresh of delivery statistics is in.
const EventStats = "stats"

// StatsPayload is the payload of a TypeStats task.
type StatsPayload struct {
	JobID string `json:"job_id"`
	// Round is the scheduled refresh this is, from 0; -1 for one asked for
	// on demand, which schedules nothing after it.
	Round int `json:"round"`
	// SinceMs: a MessageId refreshed at or after this time (ms) is not
	// asked again by this task, so that a task that runs again (after a
	// wait) goes on where it stopped.
	SinceMs int64 `json:"since_ms"`
}

// StatsMaxRetry is the number of retries of a TypeStats task that fails
// (a service outage); the next scheduled round asks again anyway.
const StatsMaxRetry = 10

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

// StatsWebhookTaskID is the asynq task ID of a job's stats webhook.
func StatsWebhookTaskID(jobID string) string { return jobID + ":webhook:stats" }

// StatsTaskID is the asynq task ID of a job's scheduled statistics refresh
// round: enqueuing it twice is refused.
func StatsTaskID(jobID string, round int) string { return fmt.Sprintf("%s:stats:%d", jobID, round) }

// StatsAskTaskID is the asynq task ID of a statistics refresh asked for at
// a time: each ask its own task.
func StatsAskTaskID(jobID string, asked time.Time) string {
	return fmt.Sprintf("%s:stats:ask%d", jobID, asked.UnixMilli())
}

// A job's chunks are pushed in ranges, each a TypeChunks task, that never
// span two of its messages (content mode), so that a range pushes with one
// MessageId. A range pushes its chunks one after another: a large job's
// ranges take RangeSize chunks, which spreads a task's cost over ten calls;
// a smaller content job's are cut so that it has at least MinRanges of
// them, pushed side by side. (A message-id job's chunks share one MessageId
// and its limit: in ranges of RangeSize its first targets are the first to
// take it: their ranges are cut by RangeSize alone, whatever the unit, so
// that with a limit of fewer than RangeSize calls its first range takes
// all it can.)
const MinRanges = 32

// Ranges cuts job j's chunks into its ranges, where a message takes
// perMessage chunks.
func Ranges(j *Job, perMessage int) []ChunksPayload {
	size, perMessage := rangeSize(j), span(j, perMessage)
	var out []ChunksPayload
	for first := 0; first < j.Chunks; {
		n := first / perMessage
		end := min(first+size, j.Chunks, (n+1)*perMessage)
		out = append(out, ChunksPayload{JobID: j.ID, First: first, Count: end - first, Message: n})
		first = end
	}
	return out
}

// rangeSize is the most chunks of one of j's ranges.
func rangeSize(j *Job) int {
	if j.MessageID != "" {
		return RangeSize
	}
	return min(RangeSize, max(1, j.Chunks/MinRanges))
}

// span is how many of job j's chunks one MessageId takes, where a content
// job's message takes perMessage: all of a message-id job's, which has one.
func span(j *Job, perMessage int) int {
	if j.MessageID != "" {
		return max(j.Chunks, 1)
	}
	return perMessage
}

// RangeFirst is the first chunk of the range of job j that pushes chunk
// index, where a message takes perMessage chunks (Ranges).
func RangeFirst(j *Job, index, perMessage int) int {
	size, perMessage := rangeSize(j), span(j, perMessage)
	first := index / perMessage * perMessage
	return first + (index-first)/size*size
}

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

// JobQueue returns the asynq queue of a job of priority on path under
// namespace ns: QueueOf's, or for a direct job a queue of its own beside
// it, with the same weight. A campaign held by its quota sends its range
// tasks back to the queue while they wait, and they come back at the
// queue's tail: in one queue with a flood of small jobs they would wait
// behind every one of them. In two, asynq's weighted choice gives each its
// turns.
func JobQueue(ns, priority, path string) string {
	if path == PathDirect {
		return QueueOf(ns, priority) + ":direct"
	}
	return QueueOf(ns, priority)
}

// StatsQueue returns the asynq queue of the statistics tasks under
// namespace ns: its own, with the lowest weight, so that asking for
// statistics never holds up pushing.
func StatsQueue(ns string) string { return ns + ":stats" }

// Queues returns the asynq queues of namespace ns with their weights, for a
// worker's configuration.
func Queues(ns string) map[string]int {
	out := map[string]int{StatsQueue(ns): 1}
	for p, weight := range map[string]int{PriorityHigh: 6, PriorityDefault: 3, PriorityLow: 1} {
		out[JobQueue(ns, p, PathContinuous)] = weight
		out[JobQueue(ns, p, PathDirect)] = weight
	}
	return out
}

// WebhookQueue returns the asynq queue of the completion webhooks of
// namespace ns: apart from the push queues, served by a worker's own
// webhook server with its own concurrency, so that slow receivers hold
// none of the push tasks' capacity.
func WebhookQueue(ns string) string { return ns + ":webhook" }

// WebhookQueues returns the queues of a worker's webhook server with their
// weights: the webhook queue alone.
func WebhookQueues(ns string) map[string]int { return map[string]int{WebhookQueue(ns): 1} }
