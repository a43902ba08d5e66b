package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/push"
)

// Options configure a Client. Zero fields take the defaults.
type Options struct {
	// Prefix names cpush's Redis keys and asynq queues (DefaultPrefix).
	// Producers and workers of one deployment must use the same prefix.
	Prefix string
	// JobTTL is how long a job's keys live after its last change
	// (DefaultJobTTL).
	JobTTL time.Duration
	// Limits are used by Plan to count MessageIds (DefaultLimits).
	Limits Limits
	// Rate is the ContinuouslyPush calls per second, for Plan's estimate
	// (DefaultRate).
	Rate int
}

// Defaults of Options.
const (
	// DefaultPrefix is the default Options.Prefix.
	DefaultPrefix = "cpush"
	// DefaultJobTTL is the default Options.JobTTL.
	DefaultJobTTL = 7 * 24 * time.Hour
	// DefaultRate is the default Options.Rate: the documented
	// ContinuouslyPush quota.
	DefaultRate = push.RateContinuouslyPushDefault
)

// stagingTTL bounds the life of a job whose producer died while staging.
const stagingTTL = time.Hour

func (o *Options) setDefaults() {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.JobTTL <= 0 {
		o.JobTTL = DefaultJobTTL
	}
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
}

// validate names the first option that cannot be used.
func (o *Options) validate() error {
	if err := o.Limits.Validate(); err != nil {
		return fmt.Errorf("jobs options: %w", err)
	}
	return nil
}

// Client enqueues push jobs, reports their progress and cancels them. It is
// safe for concurrent use.
type Client struct {
	store *store.Store
	aq    *asynq.Client
	insp  *asynq.Inspector
	opts  Options
}

// NewClient returns a Client on rdb (a single Redis, Sentinel or Cluster
// client). The caller keeps ownership of rdb. Options that cannot be used
// (a message limit below one chunk, say) make every Enqueue and Plan fail
// with an error naming the option.
func NewClient(rdb redis.UniversalClient, opts Options) *Client {
	opts.setDefaults()
	return &Client{store: store.New(rdb, opts.Prefix), aq: asynq.NewClientFromRedisClient(rdb),
		insp: asynq.NewInspectorFromRedisClient(rdb), opts: opts}
}

// Close releases the Client's resources; rdb stays open.
func (c *Client) Close() error { return c.aq.Close() }

// Enqueue validates job, stages its unique targets in Redis as packed chunks
// and enqueues the job's plan task. Nothing is visible to workers before the
// job is fully staged, and a failed Enqueue leaves nothing behind. A job
// whose ID was used before fails with ErrDuplicateJob.
func (c *Client) Enqueue(ctx context.Context, job Job) (Plan, error) {
	job.normalize()
	plan, unique, err := c.planJob(job)
	if err != nil {
		return plan, err
	}
	job.ID = plan.ID
	if err := c.claim(ctx, plan.ID); err != nil {
		return plan, err
	}
	if err := c.stage(ctx, &job, plan, unique); err != nil {
		c.store.Delete(ctx, plan.ID)
		return plan, fmt.Errorf("staging job %s: %w", plan.ID, err)
	}
	return plan, nil
}

// Plan validates job and says what Enqueue would do, writing nothing.
func (c *Client) Plan(job Job) (Plan, error) {
	p, _, err := c.planJob(job)
	return p, err
}

// PlanJob validates job and says what a Client with opts would do with it,
// without Redis.
func PlanJob(job Job, opts Options) (Plan, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return Plan{}, err
	}
	p, _, err := planJob(job, opts)
	return p, err
}

func (c *Client) planJob(job Job) (Plan, []string, error) {
	if err := c.opts.validate(); err != nil {
		return Plan{}, nil, err
	}
	return planJob(job, c.opts)
}

// planJob validates job and works out its plan and unique targets.
func planJob(job Job, opts Options) (Plan, []string, error) {
	job.normalize()
	if err := job.Validate(); err != nil {
		return Plan{}, nil, err
	}
	if job.ID == "" {
		job.ID = uuid.NewString()
	}
	unique, removed := job.Dedupe()
	return newPlan(&job, len(unique), removed, opts), unique, nil
}

func (c *Client) claim(ctx context.Context, id string) error {
	ok, err := c.store.Claim(ctx, id, time.Now(), stagingTTL)
	switch {
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("enqueuing job %s: %w", id, ErrDuplicateJob)
	}
	return nil
}

func (c *Client) stage(ctx context.Context, job *Job, plan Plan, unique []string) error {
	w := c.store.NewChunkWriter(plan.ID, stagingTTL)
	for i := 0; i*ChunkSize < len(unique); i++ {
		if err := w.Add(ctx, unique[i*ChunkSize:min((i+1)*ChunkSize, len(unique))]); err != nil {
			return err
		}
	}
	if err := w.Flush(ctx); err != nil {
		return err
	}
	return c.commit(ctx, job, plan)
}

// commit makes a job whose chunks are staged visible: its meta, its TTL,
// its place among the recent jobs and its plan task.
func (c *Client) commit(ctx context.Context, job *Job, plan Plan) error {
	ttl := c.opts.JobTTL
	if wait := time.Until(job.StartAt); !job.StartAt.IsZero() && wait > 0 {
		ttl += wait
	}
	meta, err := c.meta(job, plan)
	if err != nil {
		return err
	}
	if err := c.store.Commit(ctx, meta, ttl); err != nil {
		return err
	}
	return c.enqueuePlan(ctx, job, plan.ID)
}

// meta is the job as the store keeps it.
func (c *Client) meta(job *Job, plan Plan) (*store.Job, error) {
	m := &store.Job{
		ID: plan.ID, AppKey: job.AppKey, TargetType: job.TargetType,
		Total: plan.Total, Unique: plan.Unique, Duplicates: plan.Duplicates, Chunks: plan.Chunks,
		Priority: job.Priority, Queue: store.QueueOf(c.opts.Prefix, job.Priority), CreatedAt: time.Now(),
		StartAt: job.StartAt, WebhookURL: job.WebhookURL,
	}
	if job.MessageID != "" {
		m.MessageID, m.MessageCreatedAt = job.MessageID, job.MessageCreatedAt
		if m.MessageCreatedAt.IsZero() {
			m.MessageCreatedAt = m.CreatedAt
		}
		return m, nil
	}
	msg, err := json.Marshal(job.Message)
	if err != nil {
		return nil, fmt.Errorf("encoding message: %w", err)
	}
	m.Message = msg
	return m, nil
}

func (c *Client) enqueuePlan(ctx context.Context, job *Job, id string) error {
	payload, err := json.Marshal(store.PlanPayload{JobID: id})
	if err != nil {
		return err
	}
	opts := []asynq.Option{
		asynq.Queue(store.QueueOf(c.opts.Prefix, job.Priority)),
		asynq.TaskID(store.PlanTaskID(id)),
		asynq.MaxRetry(25),
	}
	if !job.StartAt.IsZero() {
		opts = append(opts, asynq.ProcessAt(notBefore(job.StartAt)))
	}
	_, err = c.aq.EnqueueContext(ctx, asynq.NewTask(store.TypePlan, payload), opts...)
	return err
}

// Cancel asks the workers to stop pushing job id: chunks not yet pushed are
// counted cancelled and the job ends cancelled. A job still queued (a
// scheduled one before its start) ends cancelled at once, its plan task
// deleted. A job already ended returns ErrJobFinished; an unknown one
// ErrJobNotFound.
func (c *Client) Cancel(ctx context.Context, id string) error {
	status, err := c.store.Cancel(ctx, id)
	switch {
	case err != nil:
		return err
	case Final(status):
		return fmt.Errorf("cancelling job %s (%s): %w", id, status, ErrJobFinished)
	case status == StatusQueued:
		return c.cancelQueued(ctx, id)
	}
	return nil
}

// notBefore rounds t up to a whole second: asynq schedules in whole seconds
// (it truncates), which would start a job up to a second early.
func notBefore(t time.Time) time.Time {
	if r := t.Truncate(time.Second); !r.Equal(t) {
		return r.Add(time.Second)
	}
	return t
}
