// Package worker runs cpush's push jobs: the asynq handlers that take a
// staged job through its life, the MessageId lifecycle, the shared rate
// limiter, the retry policy and the metrics. Every Redis key, field and
// script it uses is package store's.
//
// A job's life, in the order of this package's files:
//
//	plan.go     push:plan     the job's status becomes running; one push:chunks
//	                          task per range of up to 10 chunks (one
//	                          MessageId's worth in content mode)
//	chunk.go    push:chunks   loads the range's chunks not yet done (meta,
//	                          chunks, done, amb, slots), takes its MessageId
//	                          (message.go), reserves the range's pushes on
//	                          the MessageId's quota hash, then per chunk:
//	                          waits for the shared limiter (limiter.go),
//	                          calls ContinuouslyPush, and records the outcome
//	                          (done, progress); the call that records the
//	                          job's last chunk marks it finishing
//	finish.go   push:finish   completes the MessageIds the job created, each
//	                          once (closed), sets the final status and starts
//	                          the TTL of every job key
//	webhook.go  push:webhook  POSTs the signed final summary
//	stats.go    push:stats    asks the service for the ended job's delivery
//	                          statistics per MessageId (QueryPushStatByMsg),
//	                          on a low-weight queue of its own, soon after
//	                          the end and then on a schedule over 24 hours
//
// A small job takes the direct path instead, all in one task:
//
//	direct.go   push:direct   waits for the account's Push rate, marks the
//	                          call in flight, pushes the message to the
//	                          job's targets with one Push call, and records
//	                          the outcome, the MessageId and the final
//	                          status in one script; then the webhook
//
// Every handler goes through one wrapper (handler, in this file): decode
// the payload, run, end without a retry a task whose job is gone, and hold
// a failure while Redis is away (call.go).
//
// Failures carry their retry policy (retry.go): a wait (throttling, the
// limiter) re-runs the task without using a retry; a transient failure
// backs off; a permanent one fails the chunk's targets with the code.
//
// Beside the handlers, rescue.go sweeps the active jobs: a job that has
// not moved for a while and lacks the task to go on (Redis lost writes)
// gets it enqueued again.
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// App is the push service and quota of an AppKey.
type App struct {
	Service push.Service
	// Account names the quota holder, shared by the AppKeys of one account
	// and region: e.g. "<AccessKeyId>@cn-hangzhou".
	Account string
	// Rates are the account's quotas; zero fields take Options.Rates.
	Rates Rates
}

// Apps returns the App of an AppKey.
type Apps func(appKey int64) App

// SingleApp serves every AppKey with svc, the quota of Options.Account and
// Options.Rates.
func SingleApp(svc push.Service) Apps {
	return func(int64) App { return App{Service: svc} }
}

// Worker holds what the handlers share. It is safe for concurrent use.
type Worker struct {
	store    *store.Store
	aq       *asynq.Client
	jobs     *jobs.Client // reads a job's status as producers see it
	apps     Apps
	opts     Options
	limiter  *Limiter
	metrics  *metrics
	messages messages
	guard    *guard
}

// New returns a Worker that pushes through each AppKey's service and keeps
// its state in rdb.
func New(rdb redis.UniversalClient, apps Apps, opts Options) (*Worker, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	m, err := newMetrics(opts.Metrics)
	if err != nil {
		return nil, err
	}
	st := store.New(rdb, opts.Prefix)
	st.RequireReplicas(opts.MinReplicas)
	w := &Worker{
		store:   st,
		aq:      asynq.NewClientFromRedisClient(rdb),
		jobs:    jobs.NewClient(rdb, jobs.Options{Prefix: opts.Prefix, JobTTL: opts.JobTTL, Limits: opts.Limits}),
		apps:    apps,
		opts:    opts,
		limiter: newLimiter(rdb, st, opts.MaxInlineWait, m),
		metrics: m,
	}
	w.messages = messages{w: w}
	w.guard = newGuard(w)
	return w, nil
}

// Ready reports why the worker cannot push now, for a readiness probe: the
// push service refusing this machine's clock. Nil when it can.
func (w *Worker) Ready() error { return w.guard.ready() }

// Close releases the Worker's asynq clients; rdb stays open.
func (w *Worker) Close() error { return errors.Join(w.aq.Close(), w.jobs.Close()) }

// Register adds the handlers of cpush's task types to mux.
func (w *Worker) Register(mux *asynq.ServeMux) {
	mux.Handle(store.TypePlan, handler(w, w.handlePlan))
	mux.Handle(store.TypeChunks, handler(w, w.handleChunks))
	mux.Handle(store.TypeChunk, handler(w, w.handleChunk))
	mux.Handle(store.TypeFinish, handler(w, w.handleFinish))
	mux.Handle(store.TypeDirect, handler(w, w.handleDirect))
	mux.Handle(store.TypeStats, handler(w, w.handleStats))
}

// handler is the wrapper every push handler shares: it decodes the task's
// payload into a P (one that does not decode is not retried: no retry can
// fix it), runs fn, ends without a retry a task whose job's keys are gone
// (store.ErrNotFound: expired, or never staged), and holds a failure while
// Redis is away (awaitRedis).
func handler[P any](w *Worker, fn func(context.Context, P) error) asynq.Handler {
	return w.awaitRedis(asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		var p P
		if err := decode(t, &p); err != nil {
			return err
		}
		err := fn(ctx, p)
		if errors.Is(err, store.ErrNotFound) {
			return w.gone(err, t)
		}
		return err
	}))
}

// delayedTaskCheck is how often asynq moves the tasks whose delay has
// passed (retries, and tasks sent back by a long limiter wait) to their
// queue: one script per queue and set each time, in every worker, busy or
// idle, so a short interval costs Redis CPU around the clock (200ms made
// it half a round trip per chunk at 200 calls/s). A second delays a retry
// by half a second on average, next to backoffs of a second and more.
const delayedTaskCheck = time.Second

// ServerConfig returns the asynq server configuration cpush's handlers need:
// its queues with their weights, the retry policy, and concurrency.
func (w *Worker) ServerConfig(concurrency int) asynq.Config {
	return asynq.Config{
		Concurrency:              concurrency,
		Queues:                   store.Queues(w.opts.Prefix),
		RetryDelayFunc:           retryDelay(w.opts.RetryBase, w.opts.RetryMax),
		IsFailure:                IsFailure,
		DelayedTaskCheckInterval: delayedTaskCheck,
		TaskCheckInterval:        100 * time.Millisecond,
		ShutdownTimeout:          w.opts.LockTTL,
		Logger:                   newAsynqLogger(w.opts.Logger),
	}
}

// app returns the App of appKey, its zero rates and account defaulted.
func (w *Worker) app(appKey int64) App {
	a := w.apps(appKey)
	a.Rates.ContinuouslyPush = orInt(a.Rates.ContinuouslyPush, w.opts.Rates.ContinuouslyPush)
	a.Rates.Push = orInt(a.Rates.Push, w.opts.Rates.Push)
	a.Rates.Complete = orInt(a.Rates.Complete, w.opts.Rates.Complete)
	a.Rates.QueryStats = orInt(a.Rates.QueryStats, w.opts.Rates.QueryStats)
	if a.Account == "" {
		a.Account = w.opts.Account
	}
	return a
}

// Server is a running worker: an asynq server of the push tasks and, with
// webhooks, one of the completion webhooks with its own concurrency.
type Server struct {
	push, hooks *asynq.Server
	stopSweep   func() // stops the rescue sweep and waits for it
}

// Shutdown drains both servers: running tasks finish, or go back to their
// queue when the shutdown timeout passes.
func (s *Server) Shutdown() {
	s.stopSweep()
	var wg sync.WaitGroup
	if s.hooks != nil {
		wg.Go(s.hooks.Shutdown)
	}
	s.push.Shutdown()
	wg.Wait()
}

// Start runs an asynq server with concurrency workers on w's Redis that
// handles cpush's push tasks and, when hooks is not nil, a second one of
// hooks' concurrency that delivers the completion webhooks from their own
// queue (store.WebhookQueue): a receiver that hangs holds none of the push
// capacity. Shutdown the Server to drain it.
func (w *Worker) Start(concurrency int, hooks *Webhooks) (*Server, error) {
	push := asynq.NewServerFromRedisClient(w.store.Redis(), w.ServerConfig(concurrency))
	mux := asynq.NewServeMux()
	w.Register(mux)
	if hooks != nil {
		hooks.Register(mux) // a webhook that an older worker put on a push queue
	}
	if err := push.Start(mux); err != nil {
		return nil, fmt.Errorf("starting the worker: %w", err)
	}
	s := &Server{push: push, stopSweep: w.startSweep()}
	if hooks == nil {
		return s, nil
	}
	s.hooks = asynq.NewServerFromRedisClient(w.store.Redis(), w.webhookConfig(hooks))
	hmux := asynq.NewServeMux()
	hmux.Use(w.awaitRedis)
	hooks.Register(hmux)
	if err := s.hooks.Start(hmux); err != nil {
		s.stopSweep()
		push.Shutdown()
		return nil, fmt.Errorf("starting the webhook server: %w", err)
	}
	return s, nil
}

// webhookConfig is the configuration of the webhook server: the webhook
// queue, hooks' concurrency, the push server's retry policy.
func (w *Worker) webhookConfig(hooks *Webhooks) asynq.Config {
	cfg := w.ServerConfig(hooks.opts.Concurrency)
	cfg.Queues = store.WebhookQueues(w.opts.Prefix)
	cfg.TaskCheckInterval = time.Second // a webhook is not in a hurry: poll the idle queue less
	cfg.ShutdownTimeout = hooks.opts.Timeout + time.Second
	return cfg
}

// enqueue adds a task, treating an existing task with the same ID as done.
func (w *Worker) enqueue(ctx context.Context, typ string, payload any, opts ...asynq.Option) error {
	_, err := w.enqueueNew(ctx, typ, payload, opts...)
	return err
}

// enqueueNew adds a task and reports whether it was created: false when a
// task with the same ID exists.
func (w *Worker) enqueueNew(ctx context.Context, typ string, payload any, opts ...asynq.Option) (bool, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return false, err
	}
	_, err = w.aq.EnqueueContext(ctx, asynq.NewTask(typ, b), opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("enqueuing %s: %w", typ, err)
	}
	return true, nil
}

// job is a job as a handler works with it: the store's record, its decoded
// message and its AppKey's service and quota.
type job struct {
	*store.Job
	message *push.Message // content mode
	app     App
}

// contentMode reports whether cpush creates the job's MessageIds.
func (j *job) contentMode() bool { return j.message != nil }

// newJob decodes a job record for a handler.
func (w *Worker) newJob(r *store.Job) (*job, error) {
	j := &job{Job: r, app: w.app(r.AppKey)}
	if len(r.Message) > 0 {
		j.message = new(push.Message)
		if err := json.Unmarshal(r.Message, j.message); err != nil {
			return nil, fmt.Errorf("job %s: decoding its message: %w", r.ID, err)
		}
	}
	return j, nil
}

// decode decodes a task's payload; a payload that cannot be decoded will
// never be, so the task is not retried.
func decode(t *asynq.Task, v any) error {
	if err := store.DecodePayload(t.Payload(), v); err != nil {
		return fmt.Errorf("%s: %w: %w", t.Type(), err, asynq.SkipRetry)
	}
	return nil
}

// gone ends a task whose job's keys no longer exist (expired, or never
// staged): nothing is left to do, so it is not retried.
func (w *Worker) gone(err error, t *asynq.Task) error {
	var p struct {
		JobID string `json:"job_id"`
	}
	_ = store.DecodePayload(t.Payload(), &p)
	w.opts.Logger.Warn(t.Type()+" task of a job that no longer exists", logJob(p.JobID))
	return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
}
