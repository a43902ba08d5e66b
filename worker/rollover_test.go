package worker_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

// TestWorker_Rollover: in content mode a MessageId that the service refuses
// (over a limit lower than cpush believes, or expired sooner) or that
// cpush's own rules retire (within the expiry margin) is replaced by a
// fresh one, and every target still arrives exactly once.
func TestWorker_Rollover(t *testing.T) {
	tests := []struct {
		name string
		sim  pushsim.Config
		opts worker.Options
		code string // the refusal the simulator must have answered, if any
	}{
		{"service limit lower", pushsim.Config{MessageLimit: 4000}, worker.Options{}, push.CodeMessageLimitExceeded},
		// Two calls at a time: a message's 10 calls of 30 ms outlive a
		// message of 100 ms, and 10 calls of 60 ms the 200 ms cpush allows
		// before its own margin.
		{"service expiry sooner", pushsim.Config{MessageTTL: 100 * time.Millisecond, Latency: 30 * time.Millisecond}, worker.Options{}, push.CodeMessageExpired},
		{"own expiry margin", pushsim.Config{Latency: 60 * time.Millisecond},
			worker.Options{Limits: jobs.Limits{Limit: 10000, Unit: push.UnitTargets, TTL: 1200 * time.Millisecond}, ExpiryMargin: time.Second}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.sim, tt.opts)
			e.startWorker(2)
			targets := devices("r", 30000)
			plan := e.enqueue(contentJob(targets))
			st := e.wait(plan.ID, 60*time.Second)
			if st.Status != jobs.StatusCompleted || st.Pushed != 30000 {
				t.Fatalf("status = %s pushed %d failed %s; want completed with 30000", st.Status, st.Pushed, failedCodes(st))
			}
			sim := e.sim.Stats()
			assertExactlyOnce(t, sim, targets)
			if len(st.MessageIDs) <= plan.MessageIDs {
				t.Errorf("%d MessageIds for a plan of %d: nothing rolled over", len(st.MessageIDs), plan.MessageIDs)
			}
			if tt.code != "" && sim.Calls[push.ActionContinuouslyPush][tt.code] == 0 {
				t.Errorf("the simulator never answered %s (calls %v)", tt.code, sim.Calls)
			}
			if tt.code == "" && len(sim.Violations) != 0 {
				t.Errorf("violations %v: cpush's own margin should retire MessageIds before the service refuses them", sim.Violations)
			}
		})
	}
}

// TestWorker_FinishWithoutComplete: a service that never completes a
// MessageId must not leave the job unfinished once retries run out.
func TestWorker_FinishWithoutComplete(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{MaxRetry: 2})
	e.startWorkerWith(failingComplete{e.svc}, 4)
	targets := devices("z", 2500)
	plan := e.enqueue(contentJob(targets))
	st := e.wait(plan.ID, 30*time.Second)
	if st.Status != jobs.StatusCompleted || st.Pushed != 2500 {
		t.Errorf("status = %s pushed %d, want completed with 2500", st.Status, st.Pushed)
	}
	for mid, m := range e.sim.Stats().PerMessage {
		if m.Completed {
			t.Errorf("MessageId %s completed through a service that cannot", mid)
		}
	}
}

// failingComplete is the real adapter whose CompleteMessage always fails
// as a service outage would.
type failingComplete struct{ push.Service }

func (failingComplete) CompleteMessage(context.Context, int64, string) (push.Result, error) {
	return push.Result{}, &push.Error{Action: push.ActionCompleteContinuouslyPush, Class: push.ClassTransient,
		Code: push.CodeServiceUnavailable, HTTPStatus: 503}
}

// TestWorker_MessageRefused: when the service refuses to store a job's
// message for good, every target fails with its code, and the other chunks
// do not call Push again. The simulator stores any message cpush's
// validation lets through, so the refusal is injected around the real
// adapter.
func TestWorker_MessageRefused(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{})
	svc := &refusingCreate{Service: e.svc}
	e.startWorkerWith(svc, 4)
	plan := e.enqueue(contentJob(devices("n", 20000)))
	st := e.wait(plan.ID, 30*time.Second)
	if st.Status != jobs.StatusFailed || st.Failed[push.CodeInvalidParameter] != 20000 || st.Pushed != 0 {
		t.Errorf("status = %s, failed %s, %d pushed; want failed with all 20000 InvalidParameter", st.Status, failedCodes(st), st.Pushed)
	}
	// The first chunk of each racing worker goroutine and the lookahead may
	// call before the refusal is recorded; the other chunks must not.
	if n := svc.calls.Load(); n == 0 || n > 10 {
		t.Errorf("%d Push calls for 20 chunks, want 1 to 10", n)
	}
}

// refusingCreate is the real adapter whose CreateMessage is refused as the
// service refuses content it will not store.
type refusingCreate struct {
	push.Service
	calls atomic.Int64
}

func (r *refusingCreate) CreateMessage(context.Context, int64, push.Message) (push.Result, error) {
	r.calls.Add(1)
	return push.Result{}, &push.Error{Action: push.ActionPush, Class: push.ClassPermanent,
		Code: push.CodeInvalidParameter, HTTPStatus: 400, Message: "AndroidActivity is not valid"}
}
