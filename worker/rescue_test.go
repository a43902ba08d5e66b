package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/worker"
)

// dropTasks deletes the tasks of queue that wait to run: what a Redis
// that lost writes leaves when a task's end reached it and the job's
// progress did not. Scheduled tasks stay.
func (e *env) dropTasks(queue string) int {
	e.t.Helper()
	in := asynq.NewInspectorFromRedisClient(e.rdb)
	n := 0
	for _, list := range []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
		in.ListPendingTasks, in.ListRetryTasks, in.ListActiveTasks,
	} {
		tasks, err := list(queue, asynq.PageSize(1000))
		if err != nil {
			e.t.Fatal(err)
		}
		for _, ti := range tasks {
			if err := in.DeleteTask(queue, ti.ID); err != nil {
				e.t.Fatalf("deleting task %s: %v", ti.ID, err)
			}
			n++
		}
	}
	return n
}

// TestWorker_Rescue: a job whose tasks are gone while its progress says
// there is work left (Redis lost the last writes of one and not of the
// other) is taken on again by the rescue sweep, at every stage of its
// life, and ends with each target pushed once; a job whose task exists
// (scheduled for later) gets no second one.
func TestWorker_Rescue(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := setup(t, pushsim.Config{}, worker.Options{RescueAfter: 400 * time.Millisecond, Metrics: reg})
	ctx := context.Background()
	queue, directQueue := jobs.QueueOf(e.prefix, ""), store.JobQueue(e.prefix, "", store.PathDirect)
	st := store.New(e.rdb, e.prefix)

	// Queued: the plan task is gone before any worker ran.
	queued := devices("q", 2500)
	planned := e.enqueue(contentJob(queued))
	// Direct: its one task is gone.
	small := devices("s", 20)
	direct := e.enqueue(contentJob(small))
	if direct.Path != jobs.PathDirect {
		t.Fatalf("small job path %q, want direct", direct.Path)
	}
	// Direct and running: its one task is gone after it began (its status
	// is running): only that task may push it, never a range.
	begun := devices("b", 20)
	directRunning := e.enqueue(contentJob(begun))
	later := contentJob(devices("l", 10))
	later.StartAt = time.Now().Add(time.Hour)
	scheduled := e.enqueue(later)
	if n := e.dropTasks(queue) + e.dropTasks(directQueue); n != 3 {
		t.Fatalf("dropped %d tasks, want the plan and the two direct ones", n)
	}
	if err := e.rdb.HSet(ctx, st.Keys().Meta(directRunning.ID), store.FieldStatus, store.StatusRunning).Err(); err != nil {
		t.Fatal(err)
	}

	// Running: its range tasks are gone after a third of its chunks.
	running := devices("r", 30_000)
	e.opts.RescueAfter = -1
	e.opts.Rates.ContinuouslyPush = 20
	stop := e.startWorker(4)
	ranged := e.enqueue(contentJob(running))
	for {
		s, err := e.client.Status(ctx, ranged.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s.ChunksDone >= 10 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if n := e.dropTasks(queue); n == 0 {
		t.Fatal("the running job had no task left to drop")
	}

	e.opts.RescueAfter = 400 * time.Millisecond
	e.opts.Rates.ContinuouslyPush = 2000
	stop = e.startWorker(4)
	for _, c := range []struct {
		plan    jobs.Plan
		targets []string
	}{{planned, queued}, {direct, small}, {directRunning, begun}, {ranged, running}} {
		got := e.wait(c.plan.ID, 20*time.Second)
		if got.Status != jobs.StatusCompleted || got.Pushed != len(c.targets) {
			t.Errorf("job %s: %+v, want completed with %d pushed", c.plan.ID, got, len(c.targets))
		}
	}
	assertExactlyOnce(t, e.sim.Stats(), append(append(append(append([]string{}, queued...), small...), begun...), running...))

	// Finishing: the job's final status was lost, and its finish task is
	// gone.
	if err := e.rdb.HSet(ctx, st.Keys().Meta(planned.ID), store.FieldStatus, store.StatusFinishing).Err(); err != nil {
		t.Fatal(err)
	}
	if err := e.rdb.ZAdd(ctx, st.Keys().Active(), redis.Z{Member: planned.ID}).Err(); err != nil {
		t.Fatal(err)
	}
	if got := e.wait(planned.ID, 20*time.Second); got.Status != jobs.StatusCompleted {
		t.Errorf("finishing job ended %s, want completed", got.Status)
	}
	stop()

	for typ, want := range map[string]float64{store.TypePlan: 1, store.TypeDirect: 2, store.TypeFinish: 1} {
		if got := counter(t, reg, worker.MetricRescued, typ); got != want {
			t.Errorf("%s{type=%s} = %v, want %v", worker.MetricRescued, typ, got, want)
		}
	}
	if got := counter(t, reg, worker.MetricRescued, store.TypeChunks); got < 1 {
		t.Errorf("%s{type=%s} = %v, want at least 1", worker.MetricRescued, store.TypeChunks, got)
	}
	in := asynq.NewInspectorFromRedisClient(e.rdb)
	if info, err := in.GetQueueInfo(directQueue); err != nil || info.Scheduled != 1 {
		t.Errorf("scheduled tasks = %+v (%v), want the scheduled job's one", info, err)
	}
	if active, err := e.rdb.ZRange(ctx, st.Keys().Active(), 0, -1).Result(); err != nil || len(active) != 1 || active[0] != scheduled.ID {
		t.Errorf("active jobs = %v (%v), want only the scheduled one: the ended ones retired", active, err)
	}
	s, err := e.client.Status(ctx, scheduled.ID)
	if err != nil || s.Status != jobs.StatusQueued {
		t.Errorf("scheduled job = %+v (%v), want queued", s, err)
	}
}
