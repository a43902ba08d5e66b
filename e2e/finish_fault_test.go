package e2e

import (
	"testing"
	"time"

	"github.com/cpush/cpush/push"
)

// TestFault_FinishThrottled is issue 11's livelock (a), scaled down: three
// workers, the simulator's quota 20 calls/s on every action with a bucket
// of one call (the quota holds second by second, as a real service's may),
// cpush's rates as high and no higher, and a job of 300 chunks, so 30
// MessageIds to complete at the end. Every chunk must be pushed, then the
// job must finish within 30s with at most one successful completion per
// MessageId: a finish that completes all 30 again on each attempt, and
// makes one throttled completion retry the whole attempt, never finishes.
func TestFault_FinishThrottled(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a minute")
	}
	t.Parallel()
	const chunks, quota = 300, "20"
	f := newFleet(t, "--qps-continuously-push", quota, "--qps-push", quota, "--qps-complete", quota)
	for _, a := range []string{push.ActionPush, push.ActionContinuouslyPush, push.ActionCompleteContinuouslyPush} {
		f.simQPS(a, 20, 1)
	}
	settings := map[string]string{"CPUSH_RATE_CONTINUOUSLY_PUSH": quota, "CPUSH_RATE_PUSH": quota,
		"CPUSH_RATE_COMPLETE": quota, "CPUSH_CONCURRENCY": "8"}
	for range 3 {
		f.worker(settings)
	}
	file, vals := writeTargets(t, "l", chunks*1000)
	start := time.Now()
	f.send(file, "finish-throttled")
	pushed := f.waitChunks("finish-throttled", chunks, 3*time.Minute)
	t.Logf("all %d chunks done after %s", chunks, time.Since(start).Round(time.Millisecond))
	st, ended := f.waitFinal("finish-throttled", 30*time.Second)
	if !ended {
		t.Errorf("job still %s 30s after its last chunk", st.Status)
	}
	calls := f.simCounts().Calls[push.ActionCompleteContinuouslyPush]
	mids := len(pushed.MessageIDs)
	t.Logf("CompleteContinuouslyPush calls by code: %v for %d MessageIds", calls, mids)
	if calls["OK"] > mids {
		t.Errorf("%d successful completions of %d MessageIds, want at most one each (plus the throttled ones)", calls["OK"], mids)
	}
	checkJob(t, f, st, want{targets: vals, why: "no fault delivers twice"})
}
