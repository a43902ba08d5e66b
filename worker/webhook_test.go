package worker_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/worker"
)

// receiver is a webhook endpoint that answers failFirst attempts with 500,
// then 204, and records every attempt.
type receiver struct {
	t         *testing.T
	secret    []byte
	failFirst int
	mu        sync.Mutex
	attempts  []attempt
	srv       *httptest.Server
}

type attempt struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, secret string, failFirst int) *receiver {
	r := &receiver{t: t, secret: []byte(secret), failFirst: failFirst}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.attempts = append(r.attempts, attempt{header: req.Header.Clone(), body: body})
	n := len(r.attempts)
	r.mu.Unlock()
	if n <= r.failFirst {
		http.Error(w, "not now", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) got() []attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]attempt(nil), r.attempts...)
}

// waitAttempts waits until the receiver has seen n attempts.
func (r *receiver) waitAttempts(n int, timeout time.Duration) []attempt {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if got := r.got(); len(got) >= n {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("webhook receiver saw %d attempts in %s, want %d", len(r.got()), timeout, n)
	return nil
}

// verify checks a's signature as a receiver written from the README would:
// HMAC-SHA256 over "<t>.<delivery id>.<url>.<body>" with the shared
// secret, hex in v2, url the webhook_url the job gave.
func (r *receiver) verify(a attempt, url string) error {
	var ts, sig string
	for _, part := range strings.Split(a.header.Get("X-Cpush-Signature"), ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v2":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("signature time %q: %w", ts, err)
	}
	if d := time.Since(time.Unix(sec, 0)); d < -time.Minute || d > time.Minute {
		return fmt.Errorf("signature time %s is %s off", ts, d)
	}
	m := hmac.New(sha256.New, r.secret)
	m.Write([]byte(ts + "." + a.header.Get("X-Cpush-Delivery-Id") + "." + url + "." + string(a.body)))
	if want := hex.EncodeToString(m.Sum(nil)); !hmac.Equal([]byte(sig), []byte(want)) {
		return fmt.Errorf("v2 = %q, want %q", sig, want)
	}
	return nil
}

// startWebhookWorker runs a worker server that also delivers webhooks to
// the test's receivers, and returns the registry of its metrics.
func (e *env) startWebhookWorker(secret string) *prometheus.Registry {
	e.t.Helper()
	return e.startWebhookWorkerAllowing(secret, testReceivers)
}

// startWebhookWorkerAllowing is startWebhookWorker with the webhook
// allowlist allow.
func (e *env) startWebhookWorkerAllowing(secret string, allow []string) *prometheus.Registry {
	e.t.Helper()
	reg := prometheus.NewRegistry()
	opts := e.opts
	opts.Metrics = reg
	w, err := worker.New(e.rdb, worker.SingleApp(e.svc), opts)
	if err != nil {
		e.t.Fatal(err)
	}
	hooks, err := worker.NewWebhooks(e.rdb, worker.WebhookOptions{Prefix: e.prefix, Secret: []byte(secret),
		Timeout: 2 * time.Second, Metrics: reg, Allow: allow})
	if err != nil {
		e.t.Fatal(err)
	}
	srv, err := w.Start(4, hooks)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { srv.Shutdown(); w.Close() })
	return reg
}

func webhookCount(reg *prometheus.Registry, result string) float64 {
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != worker.MetricWebhooks {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func TestWebhooks_RetriesThenDelivers(t *testing.T) {
	const secret = "whsec-test-0123456789"
	e := setup(t, pushsim.Config{}, worker.Options{})
	recv := newReceiver(t, secret, 2)
	reg := e.startWebhookWorker(secret)
	job := contentJob(devices("w", 1500))
	job.WebhookURL = recv.srv.URL + "/hooks/cpush?token=abc"
	plan := e.enqueue(job)
	st := e.wait(plan.ID, 30*time.Second)
	got := recv.waitAttempts(3, 30*time.Second)
	for i, a := range got {
		if err := recv.verify(a, job.WebhookURL); err != nil {
			t.Errorf("attempt %d: signature: %v", i+1, err)
		}
		if d := a.header.Get(jobs.DeliveryHeader); d == "" || d != got[0].header.Get(jobs.DeliveryHeader) {
			t.Errorf("attempt %d: %s = %q, want one ID for every retry", i+1, jobs.DeliveryHeader, d)
		}
		if id := a.header.Get(jobs.JobIDHeader); id != plan.ID {
			t.Errorf("attempt %d: %s = %q, want %q", i+1, jobs.JobIDHeader, id, plan.ID)
		}
		var sum jobs.Summary
		if err := json.Unmarshal(a.body, &sum); err != nil || sum.ID != plan.ID || sum.Status != jobs.StatusCompleted || sum.Pushed != 1500 {
			t.Errorf("attempt %d: body %s (%v), want the completed summary of %s", i+1, a.body, err, plan.ID)
		}
		if sum.Pushed != st.Pushed || len(sum.MessageIDs) != len(st.MessageIDs) {
			t.Errorf("attempt %d: summary %+v disagrees with the status %+v", i+1, sum, st.Summary())
		}
	}
	waitFor(t, "the delivered count", func() bool { return webhookCount(reg, worker.WebhookDelivered) == 1 })
	if n := webhookCount(reg, worker.WebhookRetry); n != 2 {
		t.Errorf("%s{result=retry} = %v, want 2", worker.MetricWebhooks, n)
	}
	time.Sleep(500 * time.Millisecond) // nothing more may come
	if n := len(recv.got()); n != 3 {
		t.Errorf("receiver saw %d attempts, want 3", n)
	}
}

func TestWebhooks_GivesUp(t *testing.T) {
	const secret = "whsec-test-0123456789"
	e := setup(t, pushsim.Config{}, worker.Options{})
	recv := newReceiver(t, secret, 1000)
	reg := e.startWebhookWorker(secret)
	job := contentJob(devices("g", 10))
	job.WebhookURL = recv.srv.URL
	plan := e.enqueue(job)
	e.wait(plan.ID, 30*time.Second)
	recv.waitAttempts(worker.WebhookMaxRetry+1, 60*time.Second)
	waitFor(t, "the gave_up count", func() bool { return webhookCount(reg, worker.WebhookGaveUp) == 1 })
	time.Sleep(500 * time.Millisecond)
	if n := len(recv.got()); n != worker.WebhookMaxRetry+1 {
		t.Errorf("receiver saw %d attempts, want %d", n, worker.WebhookMaxRetry+1)
	}
	info, err := asynq.NewInspectorFromRedisClient(e.rdb).GetTaskInfo(webhookQueue(e.prefix), jobs.WebhookTaskID(plan.ID))
	if err != nil || info.State != asynq.TaskStateArchived {
		t.Errorf("webhook task = %+v, %v; want archived", info, err)
	}
}

func TestWebhooks_NoSecret(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{})
	recv := newReceiver(t, "", 0)
	reg := e.startWebhookWorker("")
	job := contentJob(devices("n", 10))
	job.WebhookURL = recv.srv.URL
	plan := e.enqueue(job)
	e.wait(plan.ID, 30*time.Second)
	waitFor(t, "the skipped count", func() bool { return webhookCount(reg, worker.WebhookSkipped) == 1 })
	if n := len(recv.got()); n != 0 {
		t.Errorf("receiver saw %d attempts without a secret, want 0", n)
	}
}

func TestWorker_NoWebhookURL(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{})
	reg := e.startWebhookWorker("whsec-test-0123456789")
	plan := e.enqueue(contentJob(devices("q", 10)))
	e.wait(plan.ID, 30*time.Second)
	_, err := asynq.NewInspectorFromRedisClient(e.rdb).GetTaskInfo(store.WebhookQueue(e.prefix), jobs.WebhookTaskID(plan.ID))
	if err == nil {
		t.Errorf("a job without webhook_url got a webhook task")
	}
	for _, result := range []string{worker.WebhookDelivered, worker.WebhookRetry, worker.WebhookGaveUp, worker.WebhookSkipped} {
		if n := webhookCount(reg, result); n != 0 {
			t.Errorf("%s{result=%s} = %v, want 0", worker.MetricWebhooks, result, n)
		}
	}
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWebhooks_RefusesNonPublicAddress: the producer let the job name a
// receiver on loopback (its own allowlist), but the worker's allows none.
// The worker refuses the address when it dials, after DNS resolution
// (localhost is a name), so the receiver never sees a request, and the
// error the UI shows says why without probing the port.
func TestWebhooks_RefusesNonPublicAddress(t *testing.T) {
	const secret = "whsec-test-0123456789"
	for _, host := range []string{"127.0.0.1", "localhost"} {
		t.Run(host, func(t *testing.T) {
			e := setup(t, pushsim.Config{}, worker.Options{})
			producer := jobs.NewClient(e.rdb, jobs.Options{Prefix: e.prefix, WebhookAllow: []string{"127.0.0.1/32", "localhost"}})
			defer producer.Close()
			recv := newReceiver(t, secret, 0)
			reg := e.startWebhookWorkerAllowing(secret, nil)
			job := contentJob(devices("p", 10))
			job.WebhookURL = strings.Replace(recv.srv.URL, "127.0.0.1", host, 1) + "/hooks"
			plan, err := producer.Enqueue(context.Background(), job)
			if err != nil {
				t.Fatal(err)
			}
			e.wait(plan.ID, 30*time.Second)
			waitFor(t, "webhook attempts", func() bool {
				return webhookCount(reg, worker.WebhookRetry) >= 2 || webhookCount(reg, worker.WebhookDelivered) > 0
			})
			if n := len(recv.got()); n != 0 {
				t.Errorf("the receiver on loopback got %d requests, want 0", n)
			}
			info, err := asynq.NewInspectorFromRedisClient(e.rdb).GetTaskInfo(webhookQueue(e.prefix), jobs.WebhookTaskID(plan.ID))
			if err != nil || !strings.Contains(info.LastErr, "not a public address") {
				t.Errorf("webhook task's last error = %q (%v), want it to say the address is not public", info.LastErr, err)
			}
		})
	}
}

// webhookQueue is the asynq queue of the completion webhooks.
func webhookQueue(prefix string) string { return store.WebhookQueue(prefix) }

// TestWebhooks_SlowReceiverHoldsNoPushCapacity: receivers that hang until
// the webhook timeout must not take the slots that push chunks run in. A
// job enqueued while every webhook hangs is pushed at once.
func TestWebhooks_SlowReceiverHoldsNoPushCapacity(t *testing.T) {
	const secret = "whsec-test-0123456789"
	e := setup(t, pushsim.Config{}, worker.Options{})
	release := make(chan struct{})
	var hanging atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hanging.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	w, err := worker.New(e.rdb, worker.SingleApp(e.svc), e.opts)
	if err != nil {
		t.Fatal(err)
	}
	hooks, err := worker.NewWebhooks(e.rdb, worker.WebhookOptions{Prefix: e.prefix, Secret: []byte(secret),
		Timeout: 20 * time.Second, Allow: testReceivers, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := w.Start(2, hooks)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { close(release); srv.Shutdown(); w.Close() }()
	for i := range 4 {
		job := contentJob(devices(fmt.Sprintf("h%d", i), 10))
		job.WebhookURL = slow.URL
		e.enqueue(job)
	}
	waitFor(t, "two hanging webhooks", func() bool { return hanging.Load() >= 2 })
	start := time.Now()
	plan := e.enqueue(contentJob(devices("after", 3000)))
	st := e.wait(plan.ID, 15*time.Second)
	if took := time.Since(start); st.Status != jobs.StatusCompleted || took > 5*time.Second {
		t.Errorf("a job enqueued while webhooks hang ended %s after %s, want completed within 5s", st.Status, took.Round(time.Millisecond))
	}
}

// TestWebhooks_SignatureBindsReceiver: receiver A replays a genuine
// delivery, headers and body, to receiver B of the same deployment (one
// secret). B verifies with its own URL and refuses it.
func TestWebhooks_SignatureBindsReceiver(t *testing.T) {
	const secret = "whsec-test-0123456789"
	e := setup(t, pushsim.Config{}, worker.Options{})
	a := newReceiver(t, secret, 0)
	e.startWebhookWorker(secret)
	job := contentJob(devices("r", 10))
	job.WebhookURL = a.srv.URL + "/hooks/a"
	e.wait(e.enqueue(job).ID, 30*time.Second)
	got := a.waitAttempts(1, 30*time.Second)[0]
	verify := func(url string) error {
		return jobs.VerifyWebhook([]byte(secret), got.header.Get(jobs.SignatureHeader), got.header.Get(jobs.DeliveryHeader),
			url, got.body, time.Now(), 5*time.Minute)
	}
	if err := verify(job.WebhookURL); err != nil {
		t.Fatalf("receiver A: %v", err)
	}
	if err := verify("https://b.example.com/hooks/b"); !errors.Is(err, jobs.ErrBadSignature) {
		t.Errorf("receiver B verified A's delivery: %v, want ErrBadSignature", err)
	}
}
