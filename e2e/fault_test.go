package e2e

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/jobs"
)

// The fault tests (TestFault_*) run a job through worker processes, break
// something mid-job, and check the counts at the end with checkJob. They
// run in parallel with each other, each on its own ports, prefix and, where
// it breaks Redis, its own redis-server; docs/fault-tests.md lists them.

// simQPS sets the simulator's quota of action to qps calls per second with
// a token bucket of burst.
func (f *fleet) simQPS(action string, qps float64, burst int) {
	f.t.Helper()
	q := url.Values{"action": {action}, "qps": {fmt.Sprint(qps)}, "burst": {fmt.Sprint(burst)}}
	f.simPost("/sim/qps?" + q.Encode())
}

// simLatency sets the latency the simulator adds to each call, after it
// carried the call out and before it answers.
func (f *fleet) simLatency(d time.Duration) {
	f.t.Helper()
	f.simPost("/sim/latency?d=" + d.String())
}

func (f *fleet) simPost(path string) {
	f.t.Helper()
	resp, err := http.Post("http://"+f.simAddr+path, "", nil)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("POST %s: %s", path, resp.Status)
	}
}

func (f *fleet) simStats() pushsim.Stats {
	f.t.Helper()
	var st pushsim.Stats
	getJSON(f.t, "http://"+f.simAddr+"/sim/stats", &st)
	return st
}

func (f *fleet) simCounts() pushsim.Counts {
	f.t.Helper()
	var c pushsim.Counts
	getJSON(f.t, "http://"+f.simAddr+"/sim/counts", &c)
	return c
}

// status reads job id's progress, or nil while Redis does not answer.
func (f *fleet) status(id string) *jobs.Status {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c := jobs.NewClient(f.rdb, jobs.Options{Prefix: f.env["CPUSH_PREFIX"]})
	defer c.Close()
	st, err := c.Status(ctx, id)
	if err != nil {
		return nil
	}
	return st
}

// waitFinal waits up to timeout for job id to end, and returns its last
// status read and whether it ended.
func (f *fleet) waitFinal(id string, timeout time.Duration) (*jobs.Status, bool) {
	var last *jobs.Status
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if st := f.status(id); st != nil {
			last = st
			if st.Final() {
				return st, true
			}
		}
	}
	return last, false
}

// watchOrphans polls asynq every second, until the returned function is
// called, for tasks left active that no worker holds: their lease expired
// with no heartbeat to extend it (asynq's TaskInfo.IsOrphaned). The
// returned function stops the polling and returns their IDs.
//
// A crash makes them even when Redis loses nothing: Redis carries out a
// worker's dequeue and writes it to the AOF, and dies before its answer
// leaves. The task is active in Redis, and no worker knows of it; only
// asynq's lease recovery gives it back, 60 to 120 s later, and cpush's
// rescue leaves it alone, since a task that exists may be running.
func (f *fleet) watchOrphans() func() []string {
	insp := asynq.NewInspectorFromRedisClient(f.rdb)
	prefix := f.env["CPUSH_PREFIX"]
	queues := slices.Concat(slices.Collect(maps.Keys(store.Queues(prefix))), slices.Collect(maps.Keys(store.WebhookQueues(prefix))))
	var (
		mu   sync.Mutex
		seen []string
	)
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for t := time.NewTicker(time.Second); ; {
			select {
			case <-done:
				t.Stop()
				return
			case <-t.C:
			}
			for _, q := range queues {
				active, err := insp.ListActiveTasks(q, asynq.PageSize(1000))
				if err != nil {
					continue // Redis away, or a queue not made yet
				}
				mu.Lock()
				for _, info := range active {
					if info.IsOrphaned && !slices.Contains(seen, info.ID) {
						seen = append(seen, info.ID)
					}
				}
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		close(done)
		<-stopped
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
}

// waitChunks waits until job id has done at least n chunks, and fails t
// after timeout.
func (f *fleet) waitChunks(id string, n int, timeout time.Duration) *jobs.Status {
	f.t.Helper()
	var last *jobs.Status
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if st := f.status(id); st != nil {
			last = st
			if st.ChunksDone >= n {
				return st
			}
		}
	}
	f.t.Fatalf("job %s did not reach %d chunks done within %s: %s", id, n, timeout, describe(last))
	return nil
}

// describe is a job status in one line, for logs.
func describe(st *jobs.Status) string {
	if st == nil {
		return "no status"
	}
	return fmt.Sprintf("status=%s chunks=%d/%d pushed=%d failed=%d%v cancelled=%d possible_duplicates=%d message_ids=%d",
		st.Status, st.ChunksDone, st.Chunks, st.Pushed, st.FailedTotal, st.Failed, st.Cancelled,
		st.PossibleDuplicates, len(st.MessageIDs))
}

// want is what a fault test asserts of a job at its end.
type want struct {
	targets []string
	// maxDuplicates bounds the simulator's duplicate deliveries: the
	// targets of the calls in flight when the fault hit; why says so.
	maxDuplicates int
	why           string
	// reported: every duplicate delivery must be counted in the job's
	// possible_duplicates (the worker cannot know of some after data loss).
	reported bool
	// lostWrites: Redis lost its last writes (a host crash, a failover):
	// a MessageId recorded in them cannot be completed (it expires within
	// 24 hours).
	lostWrites bool
}

// checkJob checks the counts of a job that ended: every target pushed and
// counted once, none failed, lost or cancelled; every target delivered at
// least once, duplicates within the bound; no call the service refused as
// breaking a rule (a MessageId over its limit among them); possible
// duplicates never more than the targets; every MessageId that delivered
// completed. It logs the figures on one line, whatever the result.
func checkJob(t testing.TB, f *fleet, st *jobs.Status, w want) {
	t.Helper()
	sim := f.simStats()
	missing, strays := 0, len(sim.Deliveries)
	for _, v := range w.targets {
		if sim.Delivered("DEVICE", v) == 0 {
			missing++
		} else {
			strays--
		}
	}
	uncompleted, orphans := messageIDs(sim)
	t.Logf("figures: %s | simulator: %d of %d targets delivered, %d duplicate deliveries (bound %d: %s), violations %v, calls %v, MessageIds uncompleted with deliveries %v, created but never used %d",
		describe(st), len(w.targets)-missing, len(w.targets), sim.Duplicates, w.maxDuplicates, w.why,
		sim.Violations, sim.Calls, uncompleted, len(orphans))
	if st == nil {
		t.Error("no job status")
		return
	}
	if !st.Final() {
		t.Logf("tasks of the unfinished job: %s", f.tasks())
	}
	n := len(w.targets)
	if st.Status != jobs.StatusCompleted || st.Pushed != n || st.FailedTotal != 0 || st.Cancelled != 0 {
		t.Errorf("job %s with %d pushed, %d failed %v, %d cancelled; want completed with %d pushed",
			st.Status, st.Pushed, st.FailedTotal, st.Failed, st.Cancelled, n)
	}
	if st.Pushed+st.FailedTotal+st.Cancelled != st.Unique || st.ChunksDone != st.Chunks {
		t.Errorf("counted %d pushed + %d failed + %d cancelled of %d unique targets, %d of %d chunks done; want each counted once",
			st.Pushed, st.FailedTotal, st.Cancelled, st.Unique, st.ChunksDone, st.Chunks)
	}
	if missing > 0 || strays > 0 {
		t.Errorf("simulator: %d targets never delivered, %d deliveries to targets not in the job", missing, strays)
	}
	if sim.Duplicates > w.maxDuplicates {
		t.Errorf("simulator: %d duplicate deliveries, want at most %d (%s)", sim.Duplicates, w.maxDuplicates, w.why)
	}
	if twice := deliveredTwice(sim); w.reported && twice > st.PossibleDuplicates {
		t.Errorf("simulator: %d targets delivered more than once, job reports %d possible duplicates; want every one reported",
			twice, st.PossibleDuplicates)
	}
	if st.PossibleDuplicates > st.Unique {
		t.Errorf("possible_duplicates = %d, more than the job's %d targets", st.PossibleDuplicates, st.Unique)
	}
	for code, k := range sim.Violations {
		if k > 0 {
			t.Errorf("simulator: %d calls refused with %s, which a correct client never causes", k, code)
		}
	}
	if len(uncompleted) > 0 && !w.lostWrites {
		t.Errorf("simulator: MessageIds %v delivered but were never completed", uncompleted)
	}
}

// tasks describes every asynq queue of the fleet's Redis: its counts, and
// the IDs of the tasks not yet done, to tell why a job did not end.
func (f *fleet) tasks() string {
	in := asynq.NewInspectorFromRedisClient(f.rdb)
	queues, err := in.Queues()
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	k := store.Keys{Prefix: f.env["CPUSH_PREFIX"]}
	ctx := context.Background()
	fmt.Fprintf(&b, "\nactive jobs %v, sweep %v, sweep lock %q", f.rdb.ZRange(ctx, k.Active(), 0, -1).Val(),
		f.rdb.HGetAll(ctx, k.Sweep()).Val(), f.rdb.Get(ctx, k.SweepLock()).Val())
	list := map[string]func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
		"active": in.ListActiveTasks, "pending": in.ListPendingTasks, "retry": in.ListRetryTasks,
		"scheduled": in.ListScheduledTasks, "archived": in.ListArchivedTasks,
	}
	for _, q := range queues {
		info, err := in.GetQueueInfo(q)
		if err != nil {
			fmt.Fprintf(&b, "\n%s: %v", q, err)
			continue
		}
		fmt.Fprintf(&b, "\n%s: active %d pending %d retry %d scheduled %d archived %d completed %d",
			q, info.Active, info.Pending, info.Retry, info.Scheduled, info.Archived, info.Completed)
		for _, state := range []string{"active", "pending", "retry", "scheduled", "archived"} {
			tasks, _ := list[state](q, asynq.PageSize(50))
			for _, ti := range tasks {
				fmt.Fprintf(&b, "\n  %s %s retried %d next %s last error %q", state, ti.ID, ti.Retried,
					ti.NextProcessAt.Format(time.TimeOnly), ti.LastErr)
			}
		}
	}
	return b.String()
}

// deliveredTwice counts the targets the simulator delivered more than once.
func deliveredTwice(sim pushsim.Stats) int {
	n := 0
	for _, c := range sim.Deliveries {
		if c > 1 {
			n++
		}
	}
	return n
}

// messageIDs returns the MessageIds that delivered but were not completed,
// and those created that never delivered (a Push whose answer was lost).
func messageIDs(sim pushsim.Stats) (uncompleted, orphans []string) {
	for id, m := range sim.PerMessage {
		switch {
		case m.Targets > 0 && !m.Completed:
			uncompleted = append(uncompleted, id)
		case m.Targets == 0:
			orphans = append(orphans, id)
		}
	}
	sort.Strings(uncompleted)
	sort.Strings(orphans)
	return uncompleted, orphans
}

// workerLines counts the lines a worker logged that contain any of subs.
func workerLines(p *proc, subs ...string) int {
	n := 0
	for _, line := range strings.Split(p.out.String(), "\n") {
		for _, s := range subs {
			if strings.Contains(line, s) {
				n++
				break
			}
		}
	}
	return n
}
