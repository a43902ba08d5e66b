package main

import (
	"context"
	"flag"
	"fmt"
	"net"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/cpush/cpush/config"
	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

const devBanner = `
################################################################################
#  cpush dev: EVERYTHING IN MEMORY, NOTHING IS DURABLE.                        #
#  Redis is in-process (miniredis) and the push service is the simulator:     #
#  no real notification is sent, and every job is lost when this stops.       #
#  For production run "cpush worker" with CPUSH_REDIS_URL (see the README).   #
################################################################################
`

func runDev(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("cpush dev", flag.ContinueOnError)
	file := configFlag(fs)
	demo := fs.Int("demo-targets", 5000, "targets of the demo job (0: none)")
	if err := parseFlags(fs, args, e); err != nil {
		return err
	}
	cfg, err := loadConfig(e, *file, true)
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, devBanner)
	mr := miniredis.NewMiniRedis()
	mr.ClockTTL(true) // locks and claims expire as on a real server
	if err := mr.Start(); err != nil {
		return fmt.Errorf("starting the in-process Redis: %w", err)
	}
	defer mr.Close()
	simLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("starting the simulator: %w", err)
	}
	devConfig(&cfg, mr.Addr(), simLn.Addr().String())
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	return runDevParts(ctx, e, &cfg, rdb, simLn, *demo)
}

// devConfig points cfg at the in-process Redis and the simulator.
func devConfig(cfg *config.Config, redisAddr, simAddr string) {
	cfg.RedisURL = config.SecretURL("redis://" + redisAddr)
	cfg.PushEndpoint = "http://" + simAddr
	cfg.AccessKeyID = pushsim.TestAccessKeyID
	cfg.AccessKeySecret = config.Secret(pushsim.TestAccessKeySecret)
	cfg.SecurityToken = ""
	cfg.Apps = nil
}

func runDevParts(ctx context.Context, e env, cfg *config.Config, rdb redis.UniversalClient, simLn net.Listener, demo int) error {
	svcs, err := newServices(cfg)
	if err != nil {
		return err
	}
	defer svcs.close()
	log := newLogger(cfg, e)
	defer log.Sync()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return serveSim(gctx, simLn, pushsim.New(pushsim.Config{})) })
	g.Go(func() error { return serveWorker(gctx, cfg, rdb, svcs.apps(), log) })
	fmt.Fprintf(e.stdout, "simulator:  http://%s (report: /sim/stats)\n", simLn.Addr())
	if cfg.HTTPAddr != "" {
		printURLs(e, cfg)
	}
	if demo > 0 {
		g.Go(func() error { return runDemo(gctx, e, cfg, rdb, demo) })
	}
	fmt.Fprintln(e.stdout, "press Ctrl-C to stop")
	return g.Wait()
}

// runDemo sends a job of n device targets and follows it to its end.
func runDemo(ctx context.Context, e env, cfg *config.Config, rdb redis.UniversalClient, n int) error {
	client := jobs.NewClient(rdb, jobsOptions(cfg))
	defer client.Close()
	targets := make([]string, n)
	for i := range targets {
		targets[i] = fmt.Sprintf("demo%028d", i) // a device ID: 32 digits and lower-case letters
	}
	plan, err := client.Enqueue(ctx, jobs.Job{AppKey: 23267207, Target: push.TargetDevice, Targets: targets,
		Message: &push.Message{Title: "cpush demo", Body: "Hello from cpush dev"}})
	if err != nil {
		return fmt.Errorf("demo job: %w", err)
	}
	fmt.Fprintf(e.stdout, "demo job:   %s, %d targets in %d calls on %d MessageIds\n",
		plan.ID, plan.Unique, plan.Chunks, plan.MessageIDs)
	err = follow(ctx, env{getenv: e.getenv, stdout: e.stdout, stderr: e.stdout}, client, plan.ID, false)
	if err != nil && ctx.Err() == nil {
		fmt.Fprintln(e.stdout, "demo job:", err) // dev goes on serving
	}
	return nil
}

// printURLs says where dev's HTTP endpoints are.
func printURLs(e env, cfg *config.Config) {
	addr, _ := loopbackAddr(cfg.HTTPAddr, cfg.HasTokens())
	fmt.Fprintf(e.stdout, "job page:   http://%s/jobs\n", addr)
	fmt.Fprintf(e.stdout, "HTTP API:   http://%s/v1/jobs (see docs/openapi.yaml)\n", addr)
	fmt.Fprintf(e.stdout, "web UI:     http://%s%s/\n", addr, monitoringPath)
	fmt.Fprintf(e.stdout, "metrics:    http://%s/metrics\n", addr)
}
