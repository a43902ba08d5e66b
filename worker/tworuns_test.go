package worker_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/jobs"
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
