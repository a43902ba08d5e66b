package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Options configure a Client. Zero fields take the defaults.
type Options struct {
	// Prefix names cpush's Redis keys and asynq queues ("cpush"). Producers
	// and workers of one deployment must use the same prefix.
	Prefix string
	// JobTTL is how long a job's keys live after its last change (7 days).
	JobTTL time.Duration
	// Limits are used by Plan to count MessageIds (DefaultLimits).
	Limits Limits
	// Rate is the ContinuouslyPush calls per second, for Plan's estimate (500).
	Rate int
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
}

// DefaultPrefix is the default Options.Prefix.
const DefaultPrefix = "cpush"

// DefaultJobTTL is the default Options.JobTTL.
const DefaultJobTTL = 7 * 24 * time.Hour

// DefaultMaxStartDelay is the default Options.MaxStartDelay: 30 days.
const DefaultMaxStartDelay = 30 * 24 * time.Hour

// DefaultStagingTTL is the default Options.StagingTTL.
const DefaultStagingTTL = time.Hour

// stageBatch is the number of chunks written per round trip while staging.
const stageBatch = 32

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
		o.Rate = 500
	}
	if o.StagingTTL <= 0 {
		o.StagingTTL = DefaultStagingTTL
	}
	if o.MaxStartDelay <= 0 {
		o.MaxStartDelay = DefaultMaxStartDelay
	}
}

// Client enqueues push jobs, reports their progress and cancels them. It is
// safe for concurrent use.
type Client struct {
	rdb  redis.UniversalClient
	aq   *asynq.Client
	keys Keys
	opts Options
}

// NewClient returns a Client on rdb (a single Redis, Sentinel or Cluster
// client). The caller keeps ownership of rdb.
func NewClient(rdb redis.UniversalClient, opts Options) *Client {
	opts.setDefaults()
	return &Client{rdb: rdb, aq: asynq.NewClientFromRedisClient(rdb), keys: Keys{Prefix: opts.Prefix}, opts: opts}
}

// Close releases the Client's resources; rdb stays open.
func (c *Client) Close() error { return c.aq.Close() }

// Enqueue validates job, stages its unique targets in Redis as packed chunks
// and enqueues the job's plan task. Nothing is visible to workers before the
// job is fully staged, and a failed Enqueue leaves nothing behind. A job
// whose ID was used before fails with ErrDuplicateJob.
func (c *Client) Enqueue(ctx context.Context, job Job) (Plan, error) {
	plan, unique, err := planJob(job, c.opts)
	if err != nil {
		return plan, err
	}
	if err := c.claim(ctx, plan.ID); err != nil {
		return plan, err
	}
	if err := c.stage(ctx, &job, plan, unique); err != nil {
		c.cleanup(ctx, plan.ID)
		return plan, fmt.Errorf("staging job %s: %w", plan.ID, err)
	}
	return plan, nil
}

// Plan validates job and says what Enqueue would do, writing nothing.
func (c *Client) Plan(job Job) (Plan, error) {
	p, _, err := planJob(job, c.opts)
	return p, err
}

// PlanJob validates job and says what a Client with opts would do with it,
// without Redis.
func PlanJob(job Job, opts Options) (Plan, error) {
	opts.setDefaults()
	p, _, err := planJob(job, opts)
	return p, err
}

// planJob validates job and works out its plan and unique targets.
func planJob(job Job, opts Options) (Plan, []string, error) {
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
	ok, err := claimScript.Run(ctx, c.rdb, []string{c.keys.Meta(id)},
		StatusStaging, time.Now().UnixMilli(), c.opts.StagingTTL.Milliseconds()).Int()
	switch {
	case err != nil:
		return fmt.Errorf("claiming job id %s: %w", id, err)
	case ok == 0:
		return fmt.Errorf("enqueuing job %s: %w", id, ErrDuplicateJob)
	}
	return nil
}

func (c *Client) stage(ctx context.Context, job *Job, plan Plan, unique []string) error {
	if err := c.writeChunks(ctx, plan.ID, unique); err != nil {
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
	if err := c.writeMeta(ctx, job, plan, ttl); err != nil {
		return err
	}
	return c.enqueuePlan(ctx, job, plan.ID)
}

func (c *Client) writeChunks(ctx context.Context, id string, unique []string) error {
	w := c.newChunkWriter(id)
	for i := 0; i*ChunkSize < len(unique); i++ {
		if err := w.add(ctx, unique[i*ChunkSize:min((i+1)*ChunkSize, len(unique))]); err != nil {
			return err
		}
	}
	return w.flush(ctx)
}

func (c *Client) writeMeta(ctx context.Context, job *Job, plan Plan, ttl time.Duration) error {
	fields, err := metaFields(job, plan)
	if err != nil {
		return err
	}
	now := time.Now()
	fields = append(fields, FieldQueue, QueueOf(c.opts.Prefix, job.Priority), FieldCreatedAt, now.UnixMilli(), FieldStatus, StatusQueued)
	_, err = c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, c.keys.Meta(plan.ID), fields...)
		p.PExpire(ctx, c.keys.Meta(plan.ID), ttl)
		p.PExpire(ctx, c.keys.Chunks(plan.ID), ttl)
		return nil
	})
	if err != nil {
		return err
	}
	return c.addRecent(ctx, plan.ID, now)
}

// addRecent adds job id to the recent set and drops the entries created
// before any job's keys can still live: JobTTL plus MaxStartDelay ago.
// (A job that runs for longer than JobTTL after its creation leaves the
// listing early; its keys and status stay.)
func (c *Client) addRecent(ctx context.Context, id string, now time.Time) error {
	cutoff := now.Add(-c.opts.JobTTL - c.opts.MaxStartDelay).UnixMilli()
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, c.keys.Recent(), redis.Z{Score: float64(now.UnixMilli()), Member: id})
		p.ZRemRangeByScore(ctx, c.keys.Recent(), "-inf", "("+strconv.FormatInt(cutoff, 10))
		return nil
	})
	return err
}

func metaFields(job *Job, plan Plan) ([]any, error) {
	f := []any{
		FieldAppKey, job.AppKey, FieldTarget, job.Target,
		FieldTotal, plan.Total, FieldUnique, plan.Unique, FieldDuplicates, plan.Duplicates,
		FieldChunks, plan.Chunks, FieldPriority, job.Priority,
	}
	if !job.StartAt.IsZero() {
		f = append(f, FieldStartAt, job.StartAt.UnixMilli())
	}
	if job.WebhookURL != "" {
		f = append(f, FieldWebhookURL, job.WebhookURL)
	}
	if job.Owner != "" {
		f = append(f, FieldOwner, job.Owner)
	}
	if job.MessageID != "" {
		created := job.MessageCreatedAt
		if created.IsZero() {
			created = time.Now()
		}
		return append(f, FieldMessageID, job.MessageID, FieldMessageCreatedAt, created.UnixMilli()), nil
	}
	msg, err := json.Marshal(job.Message)
	if err != nil {
		return nil, fmt.Errorf("encoding message: %w", err)
	}
	return append(f, FieldMessage, msg), nil
}

func (c *Client) enqueuePlan(ctx context.Context, job *Job, id string) error {
	payload, err := json.Marshal(PlanPayload{JobID: id})
	if err != nil {
		return err
	}
	opts := []asynq.Option{
		asynq.Queue(QueueOf(c.opts.Prefix, job.Priority)),
		asynq.TaskID(PlanTaskID(id)),
		asynq.MaxRetry(25),
	}
	if !job.StartAt.IsZero() {
		opts = append(opts, asynq.ProcessAt(notBefore(job.StartAt)))
	}
	_, err = c.aq.EnqueueContext(ctx, asynq.NewTask(TypePlan, payload), opts...)
	return err
}

// cleanup removes what a failed Enqueue wrote, even if ctx is done.
func (c *Client) cleanup(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, k := range c.keys.JobKeys(id) {
		c.rdb.Del(ctx, k) // one key per command: the keys share a slot, but Del of many keys is refused by some proxies
	}
	c.rdb.ZRem(ctx, c.keys.Recent(), id)
}

// Cancel asks the workers to stop pushing job id: chunks not yet pushed are
// counted cancelled and the job ends cancelled. A job already ended returns
// ErrJobFinished; an unknown one ErrJobNotFound.
func (c *Client) Cancel(ctx context.Context, id string) error {
	status, err := cancelScript.Run(ctx, c.rdb, []string{c.keys.Meta(id)}).Text()
	switch {
	case errors.Is(err, redis.Nil):
		return fmt.Errorf("cancelling job %s: %w", id, ErrJobNotFound)
	case err != nil:
		return fmt.Errorf("cancelling job %s: %w", id, err)
	case Final(status):
		return fmt.Errorf("cancelling job %s (%s): %w", id, status, ErrJobFinished)
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
