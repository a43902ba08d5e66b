package worker_test

import (
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
