package worker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/worker"
)

func TestWorker_TransientFaultsAndThrottling(t *testing.T) {
	e := setup(t, pushsim.Config{TransientFaultRate: 0.10, ThrottleRate: 0.05, Seed: 7}, worker.Options{MaxRetry: 20})
	e.startWorker(8)
	targets := devices("f", 20000)
	plan := e.enqueue(contentJob(targets))
	st := e.wait(plan.ID, 90*time.Second)
	if st.Status != jobs.StatusCompleted || st.Pushed != 20000 {
		t.Errorf("status = %s pushed %d failed %s, want completed with 20000 pushed", st.Status, st.Pushed, failedCodes(st))
	}
	sim := e.sim.Stats()
	assertExactlyOnce(t, sim, targets)
	faults := sim.Calls["ContinuouslyPush"]["ServiceUnavailable"] + sim.Calls["ContinuouslyPush"]["Throttling.User"]
	if faults == 0 {
		t.Errorf("the simulator injected no faults (calls %v): the test proves nothing", sim.Calls)
	}
}

func TestWorker_AmbiguousFaults(t *testing.T) {
	for _, mode := range []string{"error", "drop"} {
		t.Run(mode, func(t *testing.T) {
			e := setup(t, pushsim.Config{AmbiguousFaultRate: 0.2, AmbiguousMode: mode, Seed: 11}, worker.Options{MaxRetry: 20})
			e.startWorker(8)
			targets := devices("a", 15000)
			plan := e.enqueue(contentJob(targets))
			st := e.wait(plan.ID, 90*time.Second)
			if st.Status != jobs.StatusCompleted || st.Pushed != 15000 {
				t.Errorf("status = %s pushed %d failed %s, want completed with 15000 pushed", st.Status, st.Pushed, failedCodes(st))
			}
			sim := e.sim.Stats()
			for _, v := range targets {
				if sim.Delivered("DEVICE", v) < 1 {
					t.Fatalf("target %s never delivered", v)
				}
			}
			if sim.Duplicates == 0 {
				t.Errorf("no duplicate deliveries: the faults were not exercised")
			}
			// Every ambiguous fault delivered, and every chunk ended pushed, so
			// the possible duplicates are exactly the targets delivered more
			// than once, each counted once.
			if twice := deliveredTwice(sim); st.PossibleDuplicates != twice {
				t.Errorf("possible duplicates = %d, simulator delivered %d targets more than once; want equal", st.PossibleDuplicates, twice)
			}
		})
	}
}

func TestWorker_StoppedMidJob(t *testing.T) {
	e := setup(t, pushsim.Config{Latency: 30 * time.Millisecond}, worker.Options{})
	stopA := e.startWorker(2)
	targets := devices("s", 40000)
	plan := e.enqueue(contentJob(targets))
	e.waitPushed(plan.ID, 5000)
	stopA() // drains: running chunks finish, queued ones stay queued
	mid, _ := e.client.Status(context.Background(), plan.ID)
	if mid.Final() {
		t.Fatalf("job ended before the worker stopped: %+v", mid)
	}
	e.startWorker(4)
	st := e.wait(plan.ID, 60*time.Second)
	if st.Status != jobs.StatusCompleted || st.Pushed != 40000 {
		t.Errorf("status = %s pushed %d, want completed with 40000", st.Status, st.Pushed)
	}
	assertExactlyOnce(t, e.sim.Stats(), targets)
}

// waitPushed waits until job id has pushed at least n targets.
func (e *env) waitPushed(id string, n int) *jobs.Status {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		st, err := e.client.Status(context.Background(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		if st.Pushed >= n {
			return st
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.t.Fatalf("job %s did not push %d targets in time", id, n)
	return nil
}

func TestWorker_Cancel(t *testing.T) {
	const concurrency = 2
	e := setup(t, pushsim.Config{Latency: 30 * time.Millisecond}, worker.Options{})
	e.startWorker(concurrency)
	targets := devices("k", 60000)
	plan := e.enqueue(contentJob(targets))
	at := e.waitPushed(plan.ID, 3000)
	if err := e.client.Cancel(context.Background(), plan.ID); err != nil {
		t.Fatal(err)
	}
	st := e.wait(plan.ID, 30*time.Second)
	if st.Status != jobs.StatusCancelled {
		t.Errorf("status = %s, want cancelled", st.Status)
	}
	if st.Pushed+st.Cancelled+st.FailedTotal != 60000 {
		t.Errorf("pushed %d + cancelled %d + failed %d != 60000: targets lost", st.Pushed, st.Cancelled, st.FailedTotal)
	}
	// Only the chunks in flight when the cancel came may still be pushed.
	if extra := st.Pushed - at.Pushed; extra > concurrency*jobs.ChunkSize {
		t.Errorf("%d targets pushed after the cancel, want at most %d", extra, concurrency*jobs.ChunkSize)
	}
	if got := len(e.sim.Stats().Deliveries); got != st.Pushed {
		t.Errorf("simulator delivered %d, job says %d pushed", got, st.Pushed)
	}
	if err := e.client.Cancel(context.Background(), plan.ID); !errors.Is(err, jobs.ErrJobFinished) {
		t.Errorf("cancelling again: %v, want ErrJobFinished", err)
	}
}

func TestClient_EnqueueSameID(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{})
	e.startWorker(4)
	job := contentJob(devices("i", 2500))
	job.ID = "campaign-42"
	if _, err := e.client.Enqueue(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.Enqueue(context.Background(), job)
	if !errors.Is(err, jobs.ErrDuplicateJob) {
		t.Fatalf("second Enqueue: %v, want ErrDuplicateJob", err)
	}
	st := e.wait(job.ID, 30*time.Second)
	if st.Pushed != 2500 {
		t.Errorf("pushed %d, want 2500", st.Pushed)
	}
	assertExactlyOnce(t, e.sim.Stats(), job.Targets)
}

// TestWorker_CancelReleasesSharedBudget: chunks that reserved pushes on a
// producer's MessageId and then went back to the queue to wait for the
// limiter give the reservation back when the job is cancelled, so the
// MessageId's budget counts only what was pushed.
func TestWorker_CancelReleasesSharedBudget(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{
		Rates: worker.Rates{ContinuouslyPush: 4, Push: 100, Complete: 100}, MaxInlineWait: 10 * time.Millisecond})
	e.startWorker(8)
	mid := e.newMessage()
	plan := e.enqueue(midJob(mid, time.Time{}, devices("b", 9000)))
	e.waitPushed(plan.ID, 2000)
	if err := e.client.Cancel(context.Background(), plan.ID); err != nil {
		t.Fatal(err)
	}
	st := e.wait(plan.ID, 30*time.Second)
	used, err := e.rdb.HGet(context.Background(), (jobs.Keys{Prefix: e.prefix}).Quota(testAppKey, mid), "used").Int()
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != jobs.StatusCancelled || used != st.Pushed {
		t.Errorf("job %s with %d pushed; the MessageId's budget counts %d used, want %d", st.Status, st.Pushed, used, st.Pushed)
	}
}

// deliveredTwice counts the targets the simulator delivered more than once.
func deliveredTwice(st pushsim.Stats) int {
	n := 0
	for _, c := range st.Deliveries {
		if c > 1 {
			n++
		}
	}
	return n
}
