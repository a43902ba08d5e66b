package main

import (
	"context"
	"flag"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/cpush/cpush/config"
	"github.com/cpush/cpush/worker"
)

func runWorker(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("cpush worker", flag.ContinueOnError)
	file := configFlag(fs)
	if err := parseFlags(fs, args, e); err != nil {
		return err
	}
	cfg, err := loadConfig(e, *file, false)
	if err != nil {
		return err
	}
	svcs, err := newServices(&cfg) // credentials first: no Redis needed to find them missing
	if err != nil {
		return err
	}
	defer svcs.close()
	rdb, err := connectRedis(ctx, &cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	log := newLogger(&cfg, e)
	defer log.Sync()
	return serveWorker(ctx, &cfg, rdb, svcs.apps(), log)
}

// serveWorker runs the asynq server (push tasks and completion webhooks)
// and the HTTP endpoints until ctx is done, then drains: running chunks
// finish (or go back to the queue when the shutdown timeout passes) and
// nothing is lost.
func serveWorker(ctx context.Context, cfg *config.Config, rdb redis.UniversalClient, apps worker.Apps, log *zap.Logger) error {
	reg := newRegistry(rdb)
	hook, err := worker.RoundTripHook(reg)
	if err != nil {
		return err
	}
	rdb.AddHook(hook)
	opts := workerOptions(cfg, log)
	opts.Metrics = reg
	w, err := worker.New(rdb, apps, opts)
	if err != nil {
		return err
	}
	defer w.Close()
	hooks, err := worker.NewWebhooks(rdb, webhookOptions(cfg, log, reg))
	if err != nil {
		return err
	}
	srv, err := w.Start(cfg.Concurrency, hooks)
	if err != nil {
		return err
	}
	log.Info("worker started", zap.Stringer("config", cfg), zap.Int("concurrency", cfg.Concurrency))
	httpErr := make(chan error, 1)
	go func() { httpErr <- serveHTTP(ctx, cfg, rdb, reg, log, w.Ready) }()
	select {
	case <-ctx.Done():
		err = nil
	case err = <-httpErr:
	}
	log.Info("worker stopping: draining running tasks")
	srv.Shutdown()
	log.Info("worker stopped")
	return err
}

// webhookOptions are the completion webhooks' options from cfg.
func webhookOptions(cfg *config.Config, log *zap.Logger, reg prometheus.Registerer) worker.WebhookOptions {
	return worker.WebhookOptions{Prefix: cfg.Prefix, Secret: []byte(cfg.WebhookSecret.Reveal()),
		Timeout: cfg.WebhookTimeout, Concurrency: cfg.WebhookConcurrency, Allow: cfg.WebhookAllow, Logger: log, Metrics: reg}
}
