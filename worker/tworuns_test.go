package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

// TestWorker_TwoRunsOfOneRange runs every range of a job three times at
// once, as asynq may after Redis lost a task's state (a failover): the
// runs share each chunk's reservation, so a chunk pushed by two of them
// would take the MessageId past its limit unseen. One run holds a chunk's
// in-flight marker; the others stop. The MessageId is never over its
// limit, and every target arrives (a run that stops may leave its chunk to
// a retry that pushes it again: those count as possible duplicates).
func TestWorker_TwoRunsOfOneRange(t *testing.T) {
	e := setup(t, pushsim.Config{Latency: 100 * time.Millisecond}, worker.Options{})
	targets := devices("two", 10*1000) // ten chunks, one MessageId, ranges of one chunk
	plan := e.enqueue(contentJob(targets))
	aq := asynq.NewClientFromRedisClient(e.rdb)
	defer aq.Close()
	for _, copyName := range []string{"a", "b"} {
		for i := range plan.Chunks {
			b, _ := json.Marshal(store.ChunksPayload{JobID: plan.ID, First: i, Count: 1, Message: 0})
			if _, err := aq.Enqueue(asynq.NewTask(store.TypeChunks, b), asynq.Queue(jobs.QueueOf(e.prefix, "")),
				asynq.TaskID(fmt.Sprintf("copy-%s-%d", copyName, i)), asynq.MaxRetry(5)); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.startWorker(32)
	st := e.wait(plan.ID, 60*time.Second)
	sim := e.sim.Stats()
	t.Logf("%s: pushed %d, possible duplicates %d; simulator: %d duplicate deliveries, violations %v, calls %v",
		st.Status, st.Pushed, st.PossibleDuplicates, sim.Duplicates, sim.Violations, sim.Calls)
	if len(sim.Violations) != 0 {
		t.Errorf("violations = %v, want none: a MessageId went past its limit", sim.Violations)
	}
	if st.Status != jobs.StatusCompleted || st.Pushed != len(targets) {
		t.Errorf("job %s with %d pushed, want completed with %d", st.Status, st.Pushed, len(targets))
	}
	if twice := sim.Duplicates; twice > st.PossibleDuplicates {
		t.Errorf("%d duplicate deliveries, %d reported: want every one reported", twice, st.PossibleDuplicates)
	}
	if got := len(sim.Deliveries); got != len(targets) {
		t.Errorf("simulator saw %d distinct targets, want %d", got, len(targets))
	}
}

// TestWorker_MinReplicasWithoutReplica: with a replica required and none
// answering, no call goes out, nothing fails and no retry is used: the
// job waits, and no in-flight mark is left to count a possible duplicate.
func TestWorker_MinReplicasWithoutReplica(t *testing.T) {
	if !redistest.Real() {
		t.Skip("WAIT needs a real Redis")
	}
	e := setup(t, pushsim.Config{}, worker.Options{MinReplicas: 1})
	plan := e.enqueue(contentJob(devices("norep", 2000)))
	e.startWorker(4)
	time.Sleep(4 * time.Second)
	st, err := e.client.Status(context.Background(), plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	sim := e.sim.Stats()
	if n := sim.Calls[push.ActionContinuouslyPush]["OK"]; n != 0 {
		t.Errorf("%d ContinuouslyPush calls went out with no replica to hold their marks, want 0", n)
	}
	if st.Status != jobs.StatusRunning || st.Pushed != 0 || st.FailedTotal != 0 || st.PossibleDuplicates != 0 {
		t.Errorf("job = %+v; want running, nothing pushed, failed or counted a possible duplicate", st)
	}
	in := asynq.NewInspectorFromRedisClient(e.rdb)
	for _, state := range []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){in.ListRetryTasks, in.ListArchivedTasks} {
		tasks, err := state(jobs.QueueOf(e.prefix, ""))
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range tasks {
			if ti.Retried > 0 || ti.State == asynq.TaskStateArchived {
				t.Errorf("task %s %s after %d retries: waiting for a replica must use none", ti.ID, ti.State, ti.Retried)
			}
		}
	}
}
