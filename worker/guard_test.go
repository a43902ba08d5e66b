package worker_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push/alibaba"
	"github.com/cpush/cpush/worker"
)

// TestWorker_ClockFault: when the service refuses this machine's clock
// (InvalidTimeStamp.Expired), a job does not fail chunk by chunk: calls
// wait, the worker says so in its metric and readiness, and the job goes
// on once the clock is accepted again.
func TestWorker_ClockFault(t *testing.T) {
	e := setup(t, pushsim.Config{NoQuotas: true}, worker.Options{MaxRetry: 1, ClockProbe: 300 * time.Millisecond})
	reg := prometheus.NewRegistry()
	e.opts.Metrics = reg
	w, err := worker.New(e.rdb, worker.SingleApp(e.svc), e.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	srv, err := w.Start(4, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	targets := devices("c", 30000)
	plan := e.enqueue(contentJob(targets))
	e.waitPushed(plan.ID, 5000)
	e.sim.SetClockSkew(20 * time.Minute) // the service's clock, seen from here: this machine is 20 minutes behind
	deadline := time.Now().Add(10 * time.Second)
	for w.Ready() == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if w.Ready() == nil {
		t.Fatal("the worker stayed ready while the service refused its clock")
	}
	if got := gauge(t, reg, worker.MetricClockFault); got != 1 {
		t.Errorf("%s = %v, want 1", worker.MetricClockFault, got)
	}
	time.Sleep(time.Second) // several probes, each refused
	e.sim.SetClockSkew(0)
	st := e.wait(plan.ID, 60*time.Second)
	if st.Status != jobs.StatusCompleted || st.Pushed != len(targets) {
		t.Errorf("status %s, pushed %d, failed %s; want completed with every target", st.Status, st.Pushed, failedCodes(st))
	}
	if w.Ready() != nil || gauge(t, reg, worker.MetricClockFault) != 0 {
		t.Errorf("still not ready after the clock was accepted: %v", w.Ready())
	}
	if n := e.sim.Stats().Calls["ContinuouslyPush"]["InvalidTimeStamp.Expired"]; n == 0 {
		t.Error("the simulator never refused the clock: the test proves nothing")
	}
}

// gauge returns the value of the gauge registered under name.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// outage sits between the adapter and the simulator and, while down,
// answers no call: it drops each connection, after handing the request on
// to the simulator when delivered is set (a call dropped mid-request).
type outage struct {
	sim       http.Handler
	down      atomic.Bool
	delivered atomic.Bool
}

func (o *outage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !o.down.Load() {
		o.sim.ServeHTTP(w, r)
		return
	}
	if o.delivered.Load() {
		o.sim.ServeHTTP(httptest.NewRecorder(), r)
	}
	panic(http.ErrAbortHandler) // the connection is dropped, no answer
}

// TestWorker_Outage: while the push service answers no call, a job pauses
// (the account's breaker opens) instead of burning its chunks' retries
// into failed targets, and resumes when the service is back: no target
// failed, none pushed twice but those whose call was dropped after
// delivery, and no MessageId called past its limit.
func TestWorker_Outage(t *testing.T) {
	sim := pushsim.New(pushsim.Config{NoQuotas: true, Latency: 2 * time.Millisecond})
	out := &outage{sim: sim}
	hs := httptest.NewServer(out)
	defer hs.Close()
	svc, err := alibaba.New(alibaba.Config{Region: "cn-hangzhou", Endpoint: hs.URL, ReadTimeout: 2 * time.Second,
		AccessKeyID: pushsim.TestAccessKeyID, AccessKeySecret: pushsim.TestAccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	e := setup(t, pushsim.Config{}, worker.Options{MaxRetry: 3, Rates: worker.Rates{ContinuouslyPush: 100, Push: 100, Complete: 100}})
	e.startWorkerWith(svc, 8)
	targets := devices("o", 100000)
	plan := e.enqueue(contentJob(targets))
	e.waitPushed(plan.ID, 20000)
	out.down.Store(true)
	out.delivered.Store(true)
	time.Sleep(4 * time.Second) // the retry backoff (20 to 200 ms) would use 3 retries many times over
	out.delivered.Store(false)
	time.Sleep(2 * time.Second)
	out.down.Store(false)
	st := e.wait(plan.ID, 90*time.Second)
	if st.Status != jobs.StatusCompleted || st.Pushed != len(targets) || st.FailedTotal != 0 {
		t.Errorf("status %s, pushed %d, failed %s; want completed with every target", st.Status, st.Pushed, failedCodes(st))
	}
	stats := sim.Stats()
	for _, v := range targets {
		if stats.Delivered("DEVICE", v) < 1 {
			t.Fatalf("target %s never delivered", v)
		}
	}
	if n := stats.Violations["MessageLimitExceeded"]; n > 0 {
		t.Errorf("%d calls past a MessageId's limit", n)
	}
	if twice := deliveredTwice(stats); st.PossibleDuplicates < twice || st.PossibleDuplicates > len(targets) {
		t.Errorf("possible duplicates %d; the simulator delivered %d targets twice", st.PossibleDuplicates, twice)
	}
	t.Logf("pushed %d, %d targets delivered twice, %d counted as possible duplicates", st.Pushed, deliveredTwice(stats), st.PossibleDuplicates)
}
