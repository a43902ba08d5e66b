package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// TestFleet_KillWorkerInDirectPush kills a worker with SIGKILL while the
// Push calls of three direct jobs are held open by the simulator (they
// were delivered; their answers never come), with two direct jobs already
// done. A replacement started 61s after the kill gets the tasks back from
// asynq's recoverer. The done jobs are not pushed again; the three whose
// calls were in flight are pushed again, once, and counted as possible
// duplicates: exactly the simulator's duplicate deliveries.
func TestFleet_KillWorkerInDirectPush(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 70 seconds")
	}
	f := newFleet(t)
	settings := map[string]string{"CPUSH_CONCURRENCY": "4", "CPUSH_PUSH_READ_TIMEOUT": "5m"}
	f.worker(settings)
	c := jobs.NewClient(redistest.Client(t), jobs.Options{Prefix: f.env["CPUSH_PREFIX"]})
	defer c.Close()
	enqueue := func(id string) []string {
		accounts := make([]string, 10)
		for k := range accounts {
			accounts[k] = fmt.Sprintf("%s-acct-%d", id, k)
		}
		plan, err := c.Enqueue(context.Background(), jobs.Job{ID: id, AppKey: 23267207, Target: push.TargetAccount,
			Targets: accounts, Message: &push.Message{Title: "t", Body: "b"}})
		if err != nil || plan.Path != jobs.PathDirect {
			t.Fatalf("Enqueue(%s) = %+v, %v; want the direct path", id, plan, err)
		}
		return accounts
	}
	done := map[string][]string{"done-1": enqueue("done-1"), "done-2": enqueue("done-2")}
	for id := range done {
		f.waitJob(id, 20*time.Second)
	}
	f.setLatency("10m") // every call from now on is delivered, then held open
	inFlight := map[string][]string{"held-1": enqueue("held-1"), "held-2": enqueue("held-2"), "held-3": enqueue("held-3")}
	f.waitCalls(push.ActionPush, len(done)+len(inFlight), 30*time.Second)
	f.workers[0].kill()
	killedAt := time.Now()
	f.setLatency("0s")
	time.Sleep(61*time.Second - time.Since(killedAt))
	f.worker(settings)

	var sim pushsim.Stats
	for id, accounts := range inFlight {
		st := f.waitJob(id, 2*time.Minute)
		if st.Status != jobs.StatusCompleted || st.Pushed != 10 || st.PossibleDuplicates != 10 || len(st.MessageIDs) != 1 {
			t.Errorf("job %s = %s, %d pushed, %d possible duplicates, MessageIds %v; want completed, 10, 10, one",
				id, st.Status, st.Pushed, st.PossibleDuplicates, st.MessageIDs)
		}
		getJSON(t, "http://"+f.simAddr+"/sim/stats", &sim)
		for _, a := range accounts {
			if n := sim.Delivered(push.TargetAccount, a); n != 2 {
				t.Errorf("%s delivered %d times, want 2: once by the killed worker, once by its replacement", a, n)
			}
		}
	}
	for id, accounts := range done {
		st := f.waitJob(id, time.Second)
		if st.PossibleDuplicates != 0 {
			t.Errorf("job %s counts %d possible duplicates, want 0", id, st.PossibleDuplicates)
		}
		for _, a := range accounts {
			if n := sim.Delivered(push.TargetAccount, a); n != 1 {
				t.Errorf("%s of a job done before the kill delivered %d times, want 1", a, n)
			}
		}
	}
	if want := 10 * len(inFlight); sim.Duplicates != want {
		t.Errorf("simulator: %d duplicate deliveries, want the %d targets in flight", sim.Duplicates, want)
	}
}

// setLatency sets the simulator's added latency.
func (f *fleet) setLatency(d string) {
	f.t.Helper()
	resp, err := http.Post("http://"+f.simAddr+"/sim/latency?d="+d, "", nil)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("setting the simulator's latency: %s", resp.Status)
	}
}
