package worker_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/push/alibaba"
	"github.com/cpush/cpush/worker"
)

// env is a test's cpush: real Redis (or miniredis), the simulator over HTTP
// driven by the real SDK, a producer client and worker servers.
type env struct {
	t      testing.TB
	rdb    redis.UniversalClient
	prefix string
	sim    *pushsim.Server
	simURL string
	svc    *alibaba.Client
	client *jobs.Client
	opts   worker.Options
}

const testAppKey = 23267207

// testReceivers is the webhook allowlist of tests: their receivers are
// httptest servers on loopback.
var testReceivers = []string{"127.0.0.1/32"}

func setup(t testing.TB, simCfg pushsim.Config, opts worker.Options) *env {
	t.Helper()
	rdb, prefix := redistest.Namespace(t)
	simCfg.NoQuotas = true // the tests push faster than the documented quotas; throttle_test sets its own
	sim := pushsim.New(simCfg)
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	opts.Prefix = prefix
	if opts.Limits == (jobs.Limits{}) {
		opts.Limits = jobs.DefaultLimits
	}
	if opts.RetryBase == 0 {
		opts.RetryBase, opts.RetryMax = 20*time.Millisecond, 200*time.Millisecond
	}
	if opts.Rates == (worker.Rates{}) {
		opts.Rates = worker.Rates{ContinuouslyPush: 2000, Push: 500, Complete: 500}
	}
	client := jobs.NewClient(rdb, jobs.Options{Prefix: prefix, Limits: opts.Limits, WebhookAllow: testReceivers})
	t.Cleanup(func() { client.Close() })
	e := &env{t: t, rdb: rdb, prefix: prefix, sim: sim, simURL: hs.URL, client: client, opts: opts}
	e.svc = e.adapter(pushsim.TestAccessKeyID, pushsim.TestAccessKeySecret)
	return e
}

// adapter returns the real adapter on the simulator, signing with the
// given AccessKey pair.
func (e *env) adapter(id, secret string) *alibaba.Client {
	e.t.Helper()
	svc, err := alibaba.New(alibaba.Config{Region: "cn-hangzhou", Endpoint: e.simURL,
		AccessKeyID: id, AccessKeySecret: secret, ReadTimeout: 5 * time.Second})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(svc.Close)
	return svc
}

// startWorker runs one asynq server with cpush's handlers until stop is
// called or the test ends.
func (e *env) startWorker(concurrency int) (stop func()) {
	e.t.Helper()
	return e.startWorkerWith(e.svc, concurrency)
}

func (e *env) startWorkerWith(svc push.Service, concurrency int) (stop func()) {
	e.t.Helper()
	return e.startWorkerWithApps(worker.SingleApp(svc), concurrency)
}

// startWorkerWithApps runs one asynq server whose AppKeys are apps'.
func (e *env) startWorkerWithApps(apps worker.Apps, concurrency int) (stop func()) {
	e.t.Helper()
	w, err := worker.New(e.rdb, apps, e.opts)
	if err != nil {
		e.t.Fatal(err)
	}
	srv, err := w.Start(concurrency, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			srv.Shutdown()
			w.Close()
		}
	}
	e.t.Cleanup(stop)
	return stop
}

// waitAll waits a minute at most for each of batch's jobs to end.
func (e *env) waitAll(batch []jobs.Job) {
	e.t.Helper()
	for _, j := range batch {
		e.wait(j.ID, time.Minute)
	}
}

// wait polls job id until it ends or the timeout passes.
func (e *env) wait(id string, timeout time.Duration) *jobs.Status {
	e.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(timeout)
	var st *jobs.Status
	for time.Now().Before(deadline) {
		var err error
		st, err = e.client.Status(ctx, id)
		if err != nil {
			e.t.Fatalf("Status(%s): %v", id, err)
		}
		if st.Final() {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("job %s did not finish in %s: %+v", id, timeout, st)
	return nil
}

func (e *env) enqueue(job jobs.Job) jobs.Plan {
	e.t.Helper()
	plan, err := e.client.Enqueue(context.Background(), job)
	if err != nil {
		e.t.Fatalf("Enqueue: %v", err)
	}
	return plan
}

// enqueueValuesPerCall enqueues job through a producer whose calls carry
// at most n values (jobs.Options.ValuesPerCall), as the job records.
func (e *env) enqueueValuesPerCall(n int, job jobs.Job) jobs.Plan {
	e.t.Helper()
	c := jobs.NewClient(e.rdb, jobs.Options{Prefix: e.prefix, ValuesPerCall: n})
	defer c.Close()
	plan, err := c.Enqueue(context.Background(), job)
	if err != nil {
		e.t.Fatalf("Enqueue with %d values per call: %v", n, err)
	}
	return plan
}

// devices returns n distinct device IDs starting with tag.
func devices(tag string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%0*d", tag, 32-len(tag), i) // 32 digits and lower-case letters
	}
	return out
}

func contentJob(targets []string) jobs.Job {
	return jobs.Job{AppKey: testAppKey, Target: push.TargetDevice, Targets: targets,
		Message: &push.Message{Title: "Hello", Body: "Sale starts now"}}
}

// assertExactlyOnce checks that the simulator delivered each of targets
// exactly once.
func assertExactlyOnce(t *testing.T, st pushsim.Stats, targets []string) {
	t.Helper()
	bad := 0
	for _, v := range targets {
		if n := st.Deliveries[push.TargetDevice+":"+v]; n != 1 {
			if bad < 5 {
				t.Errorf("target %s delivered %d times, want 1", v, n)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d targets not delivered exactly once", bad, len(targets))
	}
	if got := len(st.Deliveries); got != len(targets) {
		t.Errorf("simulator saw %d distinct targets, want %d", got, len(targets))
	}
}

func failedCodes(st *jobs.Status) string {
	var b strings.Builder
	for code, n := range st.Failed {
		fmt.Fprintf(&b, "%s=%d ", code, n)
	}
	return b.String()
}
