package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/cpush/cpush/internal/egress"
	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/jobs"
)

// WebhookMaxRetry is the number of retries of a completion webhook before
// it is given up: logged, counted and left archived in asynq. With the
// default backoff (1s doubling up to 5m, jittered) they span 10 to 20
// minutes.
const WebhookMaxRetry = 12

// WebhookConcurrencyDefault is the default WebhookOptions.Concurrency.
const WebhookConcurrencyDefault = 4

// MetricWebhooks counts completion webhook attempts by result.
const MetricWebhooks = "cpush_webhooks_total"

// Results of a webhook attempt: the values of MetricWebhooks' label.
const (
	WebhookDelivered = "delivered" // the receiver answered 2xx
	WebhookRetry     = "retry"     // it failed and will be tried again
	WebhookGaveUp    = "gave_up"   // its last try failed
	WebhookSkipped   = "skipped"   // not sent: no secret to sign it with
)

// WebhookOptions configure Webhooks. Zero fields take the defaults in
// parentheses.
type WebhookOptions struct {
	// Prefix names the Redis keys ("cpush"), as Options.Prefix.
	Prefix string
	// Secret is the HMAC-SHA256 key of the signature. Empty: no webhook is
	// sent; each is logged and left archived in asynq with the reason.
	Secret []byte
	// Timeout bounds each POST, answer included (10s).
	Timeout time.Duration
	// Concurrency is the number of webhooks delivered at once, apart from
	// the push tasks' concurrency (WebhookConcurrencyDefault).
	Concurrency int
	// Allow lets webhooks reach addresses that are not public: CIDRs,
	// addresses, host names and *.domains (egress.NewPolicy). Every other
	// address is refused when it is dialed, after DNS resolution.
	Allow []string
	// Client sends the POSTs (a client that follows no redirect, uses no
	// proxy and dials public addresses and Allow only). A Client given
	// here must guard its own dials.
	Client  *http.Client
	Logger  *zap.Logger           // (no logging)
	Metrics prometheus.Registerer // (no metrics)
}

func (o *WebhookOptions) setDefaults() error {
	if o.Prefix == "" {
		o.Prefix = jobs.DefaultPrefix
	}
	o.Timeout = orDuration(o.Timeout, 10*time.Second)
	o.Concurrency = orInt(o.Concurrency, WebhookConcurrencyDefault)
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Client != nil {
		return nil
	}
	policy, err := egress.NewPolicy(o.Allow)
	if err != nil {
		return fmt.Errorf("webhook allowlist: %w", err)
	}
	o.Client = &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil, // a proxy would dial for us, unchecked
			DialContext:           policy.DialContext(&net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}),
			MaxIdleConns:          16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   o.Timeout,
			ExpectContinueTimeout: time.Second,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return nil
}

// Webhooks delivers completion webhooks: it handles the push:webhook
// tasks that a job's finish enqueues, apart from the chunk path, each
// retried with backoff on its own. It is safe for concurrent use.
type Webhooks struct {
	store   *store.Store
	jobs    *jobs.Client
	opts    WebhookOptions
	results *prometheus.CounterVec
}

// NewWebhooks returns Webhooks that read jobs from rdb.
func NewWebhooks(rdb redis.UniversalClient, opts WebhookOptions) (*Webhooks, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	results := prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricWebhooks,
		Help: "Completion webhook attempts by result: delivered, retry, gave_up, skipped."}, []string{"result"})
	if opts.Metrics != nil {
		var err error
		if results, err = register(opts.Metrics, results); err != nil {
			return nil, fmt.Errorf("registering %s: %w", MetricWebhooks, err)
		}
	}
	for _, r := range []string{WebhookDelivered, WebhookRetry, WebhookGaveUp, WebhookSkipped} {
		results.WithLabelValues(r) // at zero, so that an alert sees the first
	}
	return &Webhooks{store: store.New(rdb, opts.Prefix), jobs: jobs.NewClient(rdb, jobs.Options{Prefix: opts.Prefix}),
		opts: opts, results: results}, nil
}

// Register adds the handler of push:webhook tasks to mux.
func (h *Webhooks) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(store.TypeWebhook, h.handle)
}

func (h *Webhooks) handle(ctx context.Context, t *asynq.Task) error {
	var p store.WebhookPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	target, body, err := h.loadEvent(ctx, p)
	if err != nil || target == "" {
		return err
	}
	log := h.opts.Logger.With(zap.String("job_id", p.JobID), zap.String("webhook_host", hostOf(target)))
	if len(h.opts.Secret) == 0 {
		h.results.WithLabelValues(WebhookSkipped).Inc()
		log.Warn("completion webhook not sent: no webhook secret to sign it with (CPUSH_WEBHOOK_SECRET)")
		return fmt.Errorf("webhook of job %s: no webhook secret configured: %w", p.JobID, asynq.SkipRetry)
	}
	delivery := p.DeliveryID
	if delivery == "" {
		delivery = jobs.WebhookTaskID(p.JobID) // a task of an older worker
	}
	if err := h.post(ctx, target, p.JobID, delivery, body); err != nil {
		return h.failed(ctx, log, p.JobID, err)
	}
	h.results.WithLabelValues(WebhookDelivered).Inc()
	log.Info("completion webhook delivered")
	return nil
}

// load returns the job's webhook URL ("" for none) and its final summary
// as JSON.
func (h *Webhooks) load(ctx context.Context, id string) (string, []byte, error) {
	st, err := h.jobs.Status(ctx, id)
	if errors.Is(err, jobs.ErrJobNotFound) {
		return "", nil, nil // the job expired
	}
	if err != nil {
		return "", nil, err
	}
	j, err := h.store.ReadJob(ctx, id)
	if err != nil || j.WebhookURL == "" {
		return "", nil, ignoreNotFound(err)
	}
	target := j.WebhookURL
	if !st.Final() {
		return "", nil, fmt.Errorf("webhook of job %s: the job is %s, not ended", id, st.Status)
	}
	body, err := json.Marshal(st.Summary())
	if err != nil {
		return "", nil, fmt.Errorf("encoding the summary of job %s: %w", id, err)
	}
	return target, body, nil
}

// failed counts and logs a failed attempt, and returns the error that has
// asynq retry it, or archive it after the last try.
func (h *Webhooks) failed(ctx context.Context, log *zap.Logger, id string, err error) error {
	retried, _ := asynq.GetRetryCount(ctx)
	max, _ := asynq.GetMaxRetry(ctx)
	if retried >= max {
		h.results.WithLabelValues(WebhookGaveUp).Inc()
		log.Error("completion webhook given up", zap.Int("attempts", retried+1), zap.Error(err))
	} else {
		h.results.WithLabelValues(WebhookRetry).Inc()
		log.Warn("completion webhook failed; retrying", zap.Int("attempt", retried+1), zap.Error(err))
	}
	return fmt.Errorf("webhook of job %s: %w", id, err)
}

// enqueueWebhook enqueues the completion webhook of an ended job that names
// one, on the webhook queue. Its task ID, kept for JobTTL after it ran,
// makes it once per job: a finish that runs again enqueues nothing.
func (w *Worker) enqueueWebhook(ctx context.Context, j *store.Job) error {
	if j.WebhookURL == "" {
		return nil
	}
	p := store.WebhookPayload{JobID: j.ID, DeliveryID: uuid.NewString()}
	return w.enqueue(ctx, store.TypeWebhook, p, asynq.Queue(store.WebhookQueue(w.opts.Prefix)),
		asynq.TaskID(store.WebhookTaskID(j.ID)), asynq.MaxRetry(WebhookMaxRetry), asynq.Retention(w.opts.JobTTL))
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
