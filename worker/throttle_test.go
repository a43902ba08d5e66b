package worker_test

import (
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

// TestWorker_ThrottlingBacksOff runs cpush at twice the quota the service
// really grants: the shared rate must back off so that most calls pass,
// and every target still arrives exactly once.
func TestWorker_ThrottlingBacksOff(t *testing.T) {
	const quota = 40
	e := setup(t, pushsim.Config{QPS: map[string]float64{push.ActionContinuouslyPush: quota}},
		worker.Options{Rates: worker.Rates{ContinuouslyPush: 2 * quota, Push: 100, Complete: 100}})
	e.startWorker(8)
	targets := devices("t", 200*1000)
	plan := e.enqueue(contentJob(targets))
	st := e.wait(plan.ID, 90*time.Second)
	if st.Status != jobs.StatusCompleted {
		t.Fatalf("status = %s (%s), want completed", st.Status, failedCodes(st))
	}
	sim := e.sim.Stats()
	assertExactlyOnce(t, sim, targets)
	ok, throttled := sim.Calls[push.ActionContinuouslyPush]["OK"], sim.Calls[push.ActionContinuouslyPush][push.CodeThrottlingUser]
	t.Logf("%d calls passed, %d throttled", ok, throttled)
	if throttled == 0 {
		t.Fatalf("no call was throttled: the test proves nothing")
	}
	// Without backoff a third of the calls are refused here (measured: 104 of
	// 304); with it, a sixth (39 of 239).
	if share := float64(throttled) / float64(ok+throttled); share > 0.25 {
		t.Errorf("%.0f%% of calls throttled, want at most 25%%: the rate did not back off", 100*share)
	}
}
