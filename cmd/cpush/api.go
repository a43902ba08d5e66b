package main

import (
	"context"
	"flag"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynq/x/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// runAPI serves the HTTP endpoints, the API and the UI without the queue
// handlers: a front that scales apart from the workers.
func runAPI(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("cpush api", flag.ContinueOnError)
	file := configFlag(fs)
	if err := parseFlags(fs, args, e); err != nil {
		return err
	}
	cfg, err := loadConfig(e, *file, false)
	if err != nil {
		return err
	}
	if cfg.HTTPAddr == "" {
		return usageErr("CPUSH_HTTP_ADDR: cpush api serves HTTP; it cannot be off")
	}
	rdb, err := connectRedis(ctx, &cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	log := newLogger(&cfg, e)
	defer log.Sync()
	log.Info("API started", zap.Stringer("config", cfg))
	return serveHTTP(ctx, &cfg, rdb, newRegistry(rdb), log, nil)
}

// newRegistry returns the metrics registry of a process: Go and process
// metrics, and asynq's queue metrics read from rdb at each scrape.
func newRegistry(rdb redis.UniversalClient) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		metrics.NewQueueMetricsCollector(asynq.NewInspectorFromRedisClient(rdb)))
	return reg
}
