// Package worker runs cpush's push jobs: the asynq handlers that fan a job
// out into chunks, push each chunk within the service's rules, and finish
// the job; the Redis scripts that keep those rules across any number of
// workers; the shared rate limiter; the retry policy; and the metrics.
package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

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
	rdb     redis.UniversalClient
	aq      *asynq.Client
	apps    Apps
	keys    jobs.Keys
	opts    Options
	limiter *Limiter
	metrics *metrics
	ahead   sync.Map // "job/slot" -> true while this process creates it ahead
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
	keys := jobs.Keys{Prefix: opts.Prefix}
	return &Worker{
		rdb:     rdb,
		aq:      asynq.NewClientFromRedisClient(rdb),
		apps:    apps,
		keys:    keys,
		opts:    opts,
		limiter: newLimiter(rdb, keys, opts.MaxInlineWait, m),
		metrics: m,
	}, nil
}

// Close releases the Worker's asynq client; rdb stays open.
func (w *Worker) Close() error { return w.aq.Close() }

// Register adds the handlers of cpush's task types to mux.
func (w *Worker) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(jobs.TypePlan, w.handlePlan)
	mux.HandleFunc(jobs.TypeChunk, w.handleChunk)
	mux.HandleFunc(jobs.TypeFinish, w.handleFinish)
}

// ServerConfig returns the asynq server configuration cpush's handlers need:
// its queues with their weights, the retry policy, and concurrency.
func (w *Worker) ServerConfig(concurrency int) asynq.Config {
	return asynq.Config{
		Concurrency:              concurrency,
		Queues:                   jobs.Queues(w.opts.Prefix),
		RetryDelayFunc:           retryDelay(w.opts.RetryBase, w.opts.RetryMax),
		IsFailure:                IsFailure,
		DelayedTaskCheckInterval: 200 * time.Millisecond,
		TaskCheckInterval:        100 * time.Millisecond,
		ShutdownTimeout:          w.opts.LockTTL,
		Logger:                   asynqLogger{w.opts.Logger.Sugar()},
	}
}

// app returns the App of appKey, its zero rates and account defaulted.
func (w *Worker) app(appKey int64) App {
	a := w.apps(appKey)
	a.Rates.ContinuouslyPush = orInt(a.Rates.ContinuouslyPush, w.opts.Rates.ContinuouslyPush)
	a.Rates.Push = orInt(a.Rates.Push, w.opts.Rates.Push)
	a.Rates.Complete = orInt(a.Rates.Complete, w.opts.Rates.Complete)
	if a.Account == "" {
		a.Account = w.opts.Account
	}
	return a
}

// Server is a running worker: an asynq server of the push tasks and, with
// webhooks, one of the completion webhooks with its own concurrency.
type Server struct {
	push, hooks *asynq.Server
}

// Shutdown drains both servers: running tasks finish, or go back to their
// queue when the shutdown timeout passes.
func (s *Server) Shutdown() {
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
// queue (jobs.WebhookQueue): a receiver that hangs holds none of the push
// capacity. Shutdown the Server to drain it.
func (w *Worker) Start(concurrency int, hooks *Webhooks) (*Server, error) {
	push := asynq.NewServerFromRedisClient(w.rdb, w.ServerConfig(concurrency))
	mux := asynq.NewServeMux()
	w.Register(mux)
	if hooks != nil {
		hooks.Register(mux) // a webhook that an older worker put on a push queue
	}
	if err := push.Start(mux); err != nil {
		return nil, fmt.Errorf("starting the worker: %w", err)
	}
	s := &Server{push: push}
	if hooks == nil {
		return s, nil
	}
	s.hooks = asynq.NewServerFromRedisClient(w.rdb, w.webhookConfig(hooks))
	hmux := asynq.NewServeMux()
	hooks.Register(hmux)
	if err := s.hooks.Start(hmux); err != nil {
		push.Shutdown()
		return nil, fmt.Errorf("starting the webhook server: %w", err)
	}
	return s, nil
}

// webhookConfig is the configuration of the webhook server: the webhook
// queue, hooks' concurrency, the push server's retry policy.
func (w *Worker) webhookConfig(hooks *Webhooks) asynq.Config {
	cfg := w.ServerConfig(hooks.opts.Concurrency)
	cfg.Queues = jobs.WebhookQueues(w.opts.Prefix)
	cfg.ShutdownTimeout = hooks.opts.Timeout + time.Second
	return cfg
}

// enqueue adds a task, treating an existing task with the same ID as done.
func (w *Worker) enqueue(ctx context.Context, typ string, payload any, opts ...asynq.Option) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	_, err = w.aq.EnqueueContext(ctx, asynq.NewTask(typ, b), opts...)
	if err != nil && err != asynq.ErrTaskIDConflict && err != asynq.ErrDuplicateTask {
		return fmt.Errorf("enqueuing %s: %w", typ, err)
	}
	return nil
}
