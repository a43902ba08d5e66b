package worker_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

// producer replaces e's producer with one of opts (its prefix and limits
// are e's).
func (e *env) producer(opts jobs.Options) {
	e.t.Helper()
	opts.Prefix, opts.Limits = e.prefix, e.opts.Limits
	c := jobs.NewClient(e.rdb, opts)
	e.t.Cleanup(func() { c.Close() })
	e.client = c
}

// accountJob is a content job of the given accounts.
func accountJob(id string, accounts []string) jobs.Job {
	return jobs.Job{ID: id, AppKey: testAppKey, Target: push.TargetAccount, Targets: accounts,
		Message: &push.Message{Title: "New follower", Body: "carol follows you"}}
}

// processed is the number of tasks asynq processed today in e's queues of
// the default priority.
func (e *env) processed() int {
	e.t.Helper()
	in := asynq.NewInspectorFromRedisClient(e.rdb)
	queues, err := in.Queues()
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, path := range []string{store.PathContinuous, store.PathDirect} {
		q := store.JobQueue(e.prefix, "", path)
		if !slices.Contains(queues, q) {
			continue
		}
		info, err := in.GetQueueInfo(q)
		if err != nil {
			e.t.Fatal(err)
		}
		n += info.Processed
	}
	return n
}

// TestWorker_Direct: a job of ten accounts is one Push call with its
// targets and one task: no stored message, ContinuouslyPush or
// completion. Its status, MessageId, metrics and failed targets are those
// of any job.
func TestWorker_Direct(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := setup(t, pushsim.Config{}, worker.Options{Metrics: reg})
	e.startWorker(4)
	accounts := devices("acct", 10)
	e.enqueue(accountJob("small-1", accounts))
	st := e.wait("small-1", 20*time.Second)

	sim := e.sim.Stats()
	if st.Status != jobs.StatusCompleted || st.Path != jobs.PathDirect || st.Pushed != 10 || st.ChunksDone != 1 {
		t.Errorf("status = %+v, want completed on the direct path with 10 pushed", st)
	}
	if want := map[string]map[string]int{push.ActionPush: {"OK": 1}}; !mapsEqual(sim.Calls, want) {
		t.Errorf("API calls = %v, want one Push", sim.Calls)
	}
	if len(st.MessageIDs) != 1 || sim.PerMessage[st.MessageIDs[0]].Targets != 10 {
		t.Errorf("MessageIDs = %v, want the one Push returned, with the 10 targets", st.MessageIDs)
	}
	for _, a := range accounts {
		if n := sim.Delivered(push.TargetAccount, a); n != 1 {
			t.Errorf("%s delivered %d times, want 1", a, n)
		}
	}
	if n := e.processed(); n != 1 {
		t.Errorf("asynq processed %d tasks, want 1", n)
	}
	if got := counter(t, reg, worker.MetricTargets, "pushed"); got != 10 {
		t.Errorf("%s{result=pushed} = %v, want 10", worker.MetricTargets, got)
	}
}

// mapsEqual compares the simulator's calls by action and code.
func mapsEqual(a, b map[string]map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, m := range a {
		n, ok := b[k]
		if !ok || len(m) != len(n) {
			return false
		}
		for code, v := range m {
			if n[code] != v {
				return false
			}
		}
	}
	return true
}

// counter is the value of counter name with a label of value label in reg.
func counter(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if mf.GetName() == name && l.GetValue() == label {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{%s} gathered", name, label)
	return 0
}

// fault is a scripted failure of a PushTargets call; deliver makes the
// call first, so that the failure comes after a delivery (ambiguous).
type fault struct {
	err     *push.Error
	deliver bool
}

// scripted fails its next PushTargets calls with faults, in order, then
// passes them on.
type scripted struct {
	push.Service
	mu     sync.Mutex
	faults []fault
	calls  int
}

func (s *scripted) PushTargets(ctx context.Context, appKey int64, msg push.Message, target string, values []string) (push.Result, error) {
	s.mu.Lock()
	s.calls++
	var f *fault
	if len(s.faults) > 0 {
		f = &s.faults[0]
		if len(s.faults) > 1 || f.err.Code != "always" {
			s.faults = s.faults[1:]
		}
	}
	s.mu.Unlock()
	if f == nil {
		return s.Service.PushTargets(ctx, appKey, msg, target, values)
	}
	if f.deliver {
		if _, err := s.Service.PushTargets(ctx, appKey, msg, target, values); err != nil {
			return push.Result{}, err
		}
	}
	return push.Result{}, f.err
}

func TestWorker_DirectFailures(t *testing.T) {
	throttled := &push.Error{Action: push.ActionPush, Class: push.ClassWait, Code: push.CodeThrottlingUser, RetryAfter: 10 * time.Millisecond}
	unavailable := &push.Error{Action: push.ActionPush, Class: push.ClassTransient, Code: push.CodeServiceUnavailable, HTTPStatus: 503}
	dropped := &push.Error{Action: push.ActionPush, Class: push.ClassTransient, Code: push.CodeNetwork, Ambiguous: true}
	refused := &push.Error{Action: push.ActionPush, Class: push.ClassPermanent, Code: "InvalidParameter", HTTPStatus: 400}
	down := &push.Error{Action: push.ActionPush, Class: push.ClassTransient, Code: "always"}
	tests := []struct {
		name       string
		faults     []fault
		wantStatus string
		wantCalls  int
		wantDups   int // possible duplicates, and the simulator's duplicate deliveries
		wantFailed string
	}{
		{name: "throttled, then pushed", faults: []fault{{err: throttled}}, wantStatus: jobs.StatusCompleted, wantCalls: 2},
		{name: "unavailable, then pushed", faults: []fault{{err: unavailable}, {err: unavailable}}, wantStatus: jobs.StatusCompleted, wantCalls: 3},
		{name: "delivered, connection dropped, pushed again", faults: []fault{{err: dropped, deliver: true}},
			wantStatus: jobs.StatusCompleted, wantCalls: 2, wantDups: 10},
		{name: "refused", faults: []fault{{err: refused}}, wantStatus: jobs.StatusFailed, wantCalls: 1, wantFailed: "InvalidParameter"},
		{name: "out of retries", faults: []fault{{err: down}}, wantStatus: jobs.StatusFailed, wantCalls: 3, wantFailed: "always"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, pushsim.Config{}, worker.Options{MaxRetry: 2})
			svc := &scripted{Service: e.svc, faults: tt.faults}
			e.startWorkerWith(svc, 2)
			accounts := devices("f", 10)
			e.enqueue(accountJob("small-f", accounts))
			st := e.wait("small-f", 30*time.Second)
			sim := e.sim.Stats()
			if st.Status != tt.wantStatus || svc.calls != tt.wantCalls || st.PossibleDuplicates != tt.wantDups || sim.Duplicates != tt.wantDups {
				t.Errorf("status %s after %d calls, %d possible duplicates (simulator: %d); want %s after %d, %d",
					st.Status, svc.calls, st.PossibleDuplicates, sim.Duplicates, tt.wantStatus, tt.wantCalls, tt.wantDups)
			}
			if tt.wantFailed == "" {
				if st.Pushed != 10 || len(st.MessageIDs) != 1 {
					t.Errorf("pushed %d with MessageIds %v, want 10 with one", st.Pushed, st.MessageIDs)
				}
				return
			}
			var failed []string
			err := e.client.Failed(context.Background(), "small-f", func(f jobs.FailedTarget) error {
				if f.Code != tt.wantFailed {
					t.Errorf("failed target %s with %s, want %s", f.Target, f.Code, tt.wantFailed)
				}
				failed = append(failed, f.Target)
				return nil
			})
			if err != nil || !slices.Equal(failed, accounts) || st.Failed[tt.wantFailed] != 10 || len(st.MessageIDs) != 0 {
				t.Errorf("failed targets %v (%v), counts %v, MessageIds %v; want the 10 with %s and none",
					failed, err, st.Failed, st.MessageIDs, tt.wantFailed)
			}
		})
	}
}

// TestWorker_DirectCancelled: a direct job cancelled before its task runs
// ends cancelled with no call.
func TestWorker_DirectCancelled(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{})
	e.startWorker(2)
	job := accountJob("small-c", devices("c", 5))
	job.StartAt = time.Now().Add(time.Second)
	e.enqueue(job)
	if err := e.client.Cancel(context.Background(), "small-c"); err != nil {
		t.Fatal(err)
	}
	st := e.wait("small-c", 20*time.Second)
	if st.Status != jobs.StatusCancelled || st.Cancelled != 5 || len(e.sim.Stats().Calls) != 0 {
		t.Errorf("status = %+v, calls %v; want cancelled, 5 cancelled, no call", st, e.sim.Stats().Calls)
	}
}

// TestWorker_DirectWebhook: an ended direct job enqueues its webhook.
func TestWorker_DirectWebhook(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{})
	e.startWorker(2) // no webhook handler: the task stays pending
	job := accountJob("small-w", devices("w", 3))
	job.WebhookURL = "https://hooks.example.com/cpush"
	e.enqueue(job)
	e.wait("small-w", 20*time.Second)
	tasks, err := asynq.NewInspectorFromRedisClient(e.rdb).ListPendingTasks(store.WebhookQueue(e.prefix))
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 || tasks[0].Type != "push:webhook" {
		t.Errorf("pending tasks %v, want the job's push:webhook", tasks)
	}
}

// TestWorker_NoDirect: a worker with the direct path off sends a direct
// job on the continuous path.
func TestWorker_NoDirect(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{NoDirect: true})
	e.startWorker(2)
	e.enqueue(accountJob("small-n", devices("n", 10)))
	st := e.wait("small-n", 20*time.Second)
	calls := e.sim.Stats().Calls
	if st.Status != jobs.StatusCompleted || st.Path != jobs.PathContinuous || st.Pushed != 10 ||
		calls[push.ActionContinuouslyPush]["OK"] != 1 || calls[push.ActionCompleteContinuouslyPush]["OK"] != 1 {
		t.Errorf("status = %+v, calls %v; want completed on the continuous path", st, calls)
	}
}
