package e2e

import (
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
)

// TestFleet_KillWorker kills one of three workers with SIGKILL mid-job.
// asynq's recoverer gives a dead worker's tasks back once their lease (30s
// after the last heartbeat) has been expired for 30s more, at its next
// run: at start, then every minute. A replacement started 61s after the
// kill, as an orchestrator restarting the pod would, recovers them at its
// start (without it the survivors do, within two minutes). The job
// completes, every target arrives at least once, and the duplicates are at
// most the targets the killed worker had in flight. Until the recovery,
// asynq shows the dead worker's tasks orphaned (what watchOrphans looks
// for).
func TestFleet_KillWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 70 seconds")
	}
	const concurrency, chunks = 8, 1500
	// 50ms of latency keeps calls in flight when the worker dies.
	f := newFleet(t, "--qps-continuously-push", "100", "--latency", "50ms")
	settings := map[string]string{"CPUSH_RATE_CONTINUOUSLY_PUSH": "100", "CPUSH_CONCURRENCY": "8"}
	for range 3 {
		f.worker(settings)
	}
	file, vals := writeTargets(t, "k", chunks*1000)
	f.send(file, "fleet-kill")
	time.Sleep(5 * time.Second)
	f.workers[0].kill()
	killedAt := time.Now()
	orphans := f.watchOrphans()
	time.Sleep(61*time.Second - time.Since(killedAt))
	// The dead worker's tasks stay active until the recovery: asynq shows
	// them orphaned once their lease has expired.
	if seen := orphans(); len(seen) == 0 {
		t.Errorf("no task orphaned in the %s after the kill, want the dead worker's", time.Since(killedAt).Round(time.Second))
	} else {
		t.Logf("orphaned by the kill: %d tasks", len(seen))
	}
	f.worker(settings)
	st := f.waitJob("fleet-kill", 2*time.Minute)

	if st.Status != jobs.StatusCompleted || st.Pushed != len(vals) {
		t.Fatalf("job = %s with %d pushed (%v failed), want completed with %d", st.Status, st.Pushed, st.Failed, len(vals))
	}
	var sim pushsim.Stats
	getJSON(t, "http://"+f.simAddr+"/sim/stats", &sim)
	missing := 0
	for _, v := range vals {
		if sim.Delivered("DEVICE", v) == 0 {
			missing++
		}
	}
	t.Logf("duplicates after SIGKILL: %d targets (bound: %d in flight)", sim.Duplicates, concurrency*jobs.ChunkSize)
	if missing > 0 {
		t.Errorf("%d targets never delivered", missing)
	}
	if sim.Duplicates > concurrency*jobs.ChunkSize {
		t.Errorf("%d duplicate deliveries, want at most the %d targets in flight", sim.Duplicates, concurrency*jobs.ChunkSize)
	}
}
