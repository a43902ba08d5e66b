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
	// ValuesPerCall is the most target values of one ContinuouslyPush call:
	// the size of a job's chunks, 1 to ChunkSize (ChunkSize). The request
	// URL grows with it (docs/benchmarks.md): lower it when the gateway
	// refuses long URLs.
	ValuesPerCall int
	// AppKeys, when set, are the only AppKeys a job may name: those the
	// workers have settings for (the apps of the configuration). None: any.
	AppKeys []int64
	// StagingTTL bounds the life of the keys of a job whose producer died
	// while staging it (DefaultStagingTTL). A staging that goes on renews
	// them, its claim of the job ID included, every quarter of it.
	StagingTTL time.Duration
	// MaxStartDelay is how far ahead a Job.StartAt may be
	// (DefaultMaxStartDelay): a job's keys live that much longer.
	MaxStartDelay time.Duration
	// WebhookAllow lets a Job.WebhookURL name an address that is not
	// public: CIDRs (10.0.0.0/8), addresses, host names (hooks.internal) or
	// domains (*.svc.cluster.local). None: a webhook_url that names a
	// loopback, private, link-local or metadata-service address literally
	// is refused. Workers check every address again when they dial
	// (worker.WebhookOptions.Allow).
	WebhookAllow []string
	// NoDirect turns the direct path off (false: on): every job then takes
	// the continuous path, however few its targets. See Plan.Path.
	NoDirect bool
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
	// DefaultMaxStartDelay is the default Options.MaxStartDelay: 30 days.
	DefaultMaxStartDelay = 30 * 24 * time.Hour
	// DefaultStagingTTL is the default Options.StagingTTL.
	DefaultStagingTTL = time.Hour
)

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
	if o.ValuesPerCall == 0 {
		o.ValuesPerCall = ChunkSize
	}
	if o.StagingTTL <= 0 {
		o.StagingTTL = DefaultStagingTTL
	}
	if o.MaxStartDelay <= 0 {
		o.MaxStartDelay = DefaultMaxStartDelay
	}
}

// validate names the first option that cannot be used.
func (o *Options) validate() error {
	switch err := o.Limits.Validate(); {
	case err != nil:
		return fmt.Errorf("jobs options: %w", err)
	case o.ValuesPerCall < 1 || o.ValuesPerCall > ChunkSize:
		return fmt.Errorf("jobs options: values per call: must be 1 to %d, not %d", ChunkSize, o.ValuesPerCall)
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
	if err := checkOptions(&job, opts); err != nil {
		return Plan{}, nil, err
	}
	if job.ID == "" {
		job.ID = uuid.NewString()
	}
	unique, removed := job.Dedupe()
	return newPlan(&job, len(unique), removed, opts), unique, nil
}

func (c *Client) claim(ctx context.Context, id string) error {
	ok, err := c.store.Claim(ctx, id, time.Now(), c.opts.StagingTTL)
	switch {
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("enqueuing job %s: %w", id, ErrDuplicateJob)
	}
	return nil
}

func (c *Client) stage(ctx context.Context, job *Job, plan Plan, unique []string) error {
	w := c.store.NewChunkWriter(plan.ID, c.opts.StagingTTL)
	size := c.opts.ValuesPerCall
	for i := 0; i*size < len(unique); i++ {
		if err := w.Add(ctx, unique[i*size:min((i+1)*size, len(unique))]); err != nil {
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
	ttl := c.jobTTL(job)
	meta, err := c.meta(job, plan)
	if err != nil {
		return err
	}
	// A job that runs for longer than recentTTL after its creation leaves
	// the listing early; its keys stay.
	if err := c.store.Commit(ctx, meta, ttl, c.recentTTL()); err != nil {
		return err
	}
	return c.enqueueTask(ctx, job, plan)
}

// jobTTL is how long a staged job's keys live from now: the job TTL, and
// the wait until its start.
func (c *Client) jobTTL(job *Job) time.Duration {
	ttl := c.opts.JobTTL
	if wait := time.Until(job.StartAt); !job.StartAt.IsZero() && wait > 0 {
		ttl += wait
	}
	return ttl
}

// recentTTL is how long a job stays in the recent set: while its keys may
// still live, JobTTL plus MaxStartDelay after its creation.
func (c *Client) recentTTL() time.Duration { return c.opts.JobTTL + c.opts.MaxStartDelay }

// meta is the job as the store keeps it.
func (c *Client) meta(job *Job, plan Plan) (*store.Job, error) {
	m := &store.Job{
		ID: plan.ID, AppKey: job.AppKey, TargetType: job.TargetType,
		Total: plan.Total, Unique: plan.Unique, Duplicates: plan.Duplicates, Chunks: plan.Chunks,
		ChunkSize: c.opts.ValuesPerCall,
		Priority:  job.Priority, Queue: store.JobQueue(c.opts.Prefix, job.Priority, plan.Path), CreatedAt: time.Now(),
		StartAt: job.StartAt, WebhookURL: job.WebhookURL, Owner: job.Owner, Path: plan.Path,
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

// enqueueTask enqueues the task that starts a staged job: its plan task,
// or on the direct path the one task of its whole life (store.StartTask).
func (c *Client) enqueueTask(ctx context.Context, job *Job, plan Plan) error {
	typ, payload, opts := store.StartTask(&store.Job{ID: plan.ID, AppKey: job.AppKey, Path: plan.Path,
		Queue: store.JobQueue(c.opts.Prefix, job.Priority, plan.Path), StartAt: job.StartAt})
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	if _, err := c.aq.EnqueueContext(ctx, asynq.NewTask(typ, b), opts...); err != nil {
		return fmt.Errorf("enqueuing the %s task of job %s: %w", typ, plan.ID, err)
	}
	return nil
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
