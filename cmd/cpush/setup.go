package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/cpush/cpush/config"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push/alibaba"
	"github.com/cpush/cpush/worker"
)

// configFlag adds --config to fs.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "YAML config `file` (the environment wins over it)")
}

// loadConfig reads and checks the configuration; dev allows no Redis URL.
func loadConfig(e env, file string, dev bool) (config.Config, error) {
	cfg, err := config.Load(e.getenv, file)
	if err != nil {
		return cfg, &exitErr{code: exitUsage, err: err}
	}
	if err := cfg.Validate(dev); err != nil {
		return cfg, &exitErr{code: exitUsage, err: err}
	}
	return cfg, nil
}

// connectRedis opens cfg's Redis (or Redis Cluster) and checks that it
// answers.
func connectRedis(ctx context.Context, cfg *config.Config) (redis.UniversalClient, error) {
	rdb, err := cfg.RedisClient()
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("Redis at %s does not answer (CPUSH_REDIS_URL): %w", redisAddr(rdb), err)
	}
	return rdb, nil
}

func redisAddr(rdb redis.UniversalClient) string {
	switch c := rdb.(type) {
	case *redis.Client:
		return c.Options().Addr
	case *redis.ClusterClient:
		return strings.Join(c.Options().Addrs, ",")
	}
	return "?"
}

// newLogger returns a JSON logger at cfg's level.
func newLogger(cfg *config.Config, e env) *zap.Logger {
	level, err := zapcore.ParseLevel(cfg.LogLevel)
	if err != nil {
		level = zapcore.InfoLevel
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	core := zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(e.stderr), level)
	return zap.New(core)
}

// jobsOptions are the producer's options from cfg.
func jobsOptions(cfg *config.Config) jobs.Options {
	return jobs.Options{Prefix: cfg.Prefix, JobTTL: cfg.JobTTL, Limits: limits(cfg), Rate: cfg.RateContinuouslyPush,
		ValuesPerCall: cfg.ValuesPerCall, MaxStartDelay: cfg.MaxStartDelay, WebhookAllow: cfg.WebhookAllow, AppKeys: appKeys(cfg),
		NoDirect: !cfg.DirectPush}
}

// appKeys are the AppKeys of cfg's apps: with apps set, jobs may name
// those only.
func appKeys(cfg *config.Config) []int64 {
	var keys []int64
	for _, a := range cfg.Apps {
		keys = append(keys, a.AppKey)
	}
	return keys
}

func limits(cfg *config.Config) jobs.Limits {
	return jobs.Limits{Limit: cfg.MessageLimit, Unit: cfg.MessageLimitUnit, TTL: cfg.MessageTTL}
}

// workerOptions are the worker's options from cfg.
func workerOptions(cfg *config.Config, log *zap.Logger) worker.Options {
	return worker.Options{
		Prefix:       cfg.Prefix,
		Limits:       limits(cfg),
		ExpiryMargin: cfg.ExpiryMargin,
		RescueAfter:  cfg.RescueAfter,
		MinReplicas:  cfg.RedisMinReplicas,
		JobTTL:       cfg.JobTTL,
		MaxRetry:     cfg.MaxRetry,
		Rates: worker.Rates{ContinuouslyPush: cfg.RateContinuouslyPush, Push: cfg.RatePush, Complete: cfg.RateComplete,
			QueryStats: cfg.RateQueryStats},
		Account:       cfg.App(0).Account(),
		NoDirect:      !cfg.DirectPush,
		StatsSchedule: cfg.StatsSchedule,
		StatsOff:      len(cfg.StatsSchedule) == 0,
		StatsWebhook:  cfg.WebhookStats,
		Logger:        log,
	}
}

// services builds one adapter per set of credentials and region and serves
// each AppKey with its own; the AppKeys of one quota owner share the
// limiter (config.App.Account), whichever AccessKey they call with.
// Credentials are resolved at start, so a missing one fails now, in one
// line.
type services struct {
	cfg   *config.Config
	byKey map[string]*alibaba.Client // by config.App.CredentialKey
}

func newServices(cfg *config.Config) (*services, error) {
	s := &services{cfg: cfg, byKey: map[string]*alibaba.Client{}}
	for _, a := range cfg.Clients() {
		c, err := alibaba.New(alibaba.Config{
			Region: a.Region, AccessKeyID: a.AccessKeyID,
			AccessKeySecret: a.AccessKeySecret.Reveal(), SecurityToken: a.SecurityToken.Reveal(),
			Endpoint: cfg.PushEndpoint, ConnectTimeout: cfg.ConnectTimeout, ReadTimeout: cfg.ReadTimeout,
		})
		if err != nil {
			s.close()
			if a.AppKey == 0 {
				return nil, err
			}
			return nil, fmt.Errorf("app %d: %w", a.AppKey, err)
		}
		s.byKey[a.CredentialKey()] = c
	}
	return s, nil
}

// apps is the worker's view: each AppKey's adapter, quota owner and rates.
// Every AppKey's credentials are one of cfg.Clients(), built by
// newServices.
func (s *services) apps() worker.Apps {
	return func(appKey int64) worker.App {
		a := s.cfg.App(appKey)
		return worker.App{Service: s.byKey[a.CredentialKey()], Account: a.Account(),
			Rates: worker.Rates{ContinuouslyPush: a.RateContinuouslyPush, Push: a.RatePush, Complete: a.RateComplete,
				QueryStats: a.RateQueryStats}}
	}
}

func (s *services) close() {
	for _, c := range s.byKey {
		c.Close()
	}
}
