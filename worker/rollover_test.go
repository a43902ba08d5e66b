package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/worker"
	"github.com/cpush/cpush/worker/pushapi"
	"github.com/cpush/cpush/worker/pushsim"
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
		{"service limit lower", pushsim.Config{MessageLimit: 4000}, worker.Options{}, pushapi.CodeMessageLimitExceeded},
		{"service expiry sooner", pushsim.Config{MessageTTL: 150 * time.Millisecond, Latency: 10 * time.Millisecond}, worker.Options{}, pushapi.CodeMessageExpired},
		{"own expiry margin", pushsim.Config{Latency: 10 * time.Millisecond},
			worker.Options{Limits: jobs.Limits{Limit: 10000, Unit: pushapi.UnitTargets, TTL: 1200 * time.Millisecond}, ExpiryMargin: time.Second}, ""},
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
			if tt.code != "" && sim.Calls[pushapi.ActionContinuouslyPush][tt.code] == 0 {
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
type failingComplete struct{ pushapi.Service }

func (failingComplete) CompleteMessage(context.Context, int64, string) (pushapi.Result, error) {
	return pushapi.Result{}, &pushapi.Error{Action: pushapi.ActionCompleteContinuouslyPush, Class: pushapi.ClassTransient,
		Code: pushapi.CodeServiceUnavailable, HTTPStatus: 503}
}
