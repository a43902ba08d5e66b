package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/jobs"
)

func TestClient_CancelScheduled(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.Namespace(t)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
	defer c.Close()
	insp := asynq.NewInspectorFromRedisClient(rdb)
	queue := store.QueueOf(prefix, "")

	t.Run("a job waiting for its start ends cancelled at once", func(t *testing.T) {
		j := contentJob(2500)
		j.ID, j.StartAt, j.WebhookURL = "later", time.Now().Add(time.Hour), "https://hooks.example.com/cpush"
		if _, err := c.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
		if err := c.Cancel(ctx, "later"); err != nil {
			t.Fatal(err)
		}
		st, err := c.Status(ctx, "later")
		if err != nil || st.Status != jobs.StatusCancelled || st.Cancelled != 2500 || st.ChunksDone != 3 || st.FinishedAt.IsZero() {
			t.Fatalf("status = %+v, %v; want cancelled at once, 2500 targets cancelled", st, err)
		}
		if _, err := insp.GetTaskInfo(queue, store.PlanTaskID("later")); !errors.Is(err, asynq.ErrTaskNotFound) {
			t.Errorf("plan task: %v, want it deleted", err)
		}
		if info, err := insp.GetTaskInfo(queue, store.FinishTaskID("later")); err != nil || info.Type != store.TypeFinish {
			t.Errorf("finish task = %+v, %v; want one, to send the completion webhook", info, err)
		}
		if err := c.Cancel(ctx, "later"); !errors.Is(err, jobs.ErrJobFinished) {
			t.Errorf("second Cancel = %v, want ErrJobFinished", err)
		}
	})
	t.Run("a job without a webhook needs no worker", func(t *testing.T) {
		j := contentJob(10)
		j.ID, j.StartAt = "later-quiet", time.Now().Add(time.Hour)
		c.Enqueue(ctx, j)
		if err := c.Cancel(ctx, "later-quiet"); err != nil {
			t.Fatal(err)
		}
		if _, err := insp.GetTaskInfo(queue, store.FinishTaskID("later-quiet")); !errors.Is(err, asynq.ErrTaskNotFound) {
			t.Errorf("finish task: %v, want none", err)
		}
	})
	t.Run("a running job is stopped by its workers", func(t *testing.T) {
		j := contentJob(10)
		j.ID = "running"
		c.Enqueue(ctx, j)
		store.New(rdb, prefix).SetRunning(ctx, "running")
		if err := c.Cancel(ctx, "running"); err != nil {
			t.Fatal(err)
		}
		if st, _ := c.Status(ctx, "running"); st.Status != jobs.StatusRunning || !st.CancelRequested {
			t.Errorf("status = %s, cancel requested %v; want running with the cancel asked", st.Status, st.CancelRequested)
		}
	})
}

func TestClient_Delivery(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.Namespace(t)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
	defer c.Close()
	s := store.New(rdb, prefix)
	j := contentJob(10)
	j.ID = "j1"
	c.Enqueue(ctx, j)

	if d, msgs, err := c.Delivery(ctx, "j1"); err != nil || d != nil || len(msgs) != 0 {
		t.Errorf("Delivery before any = %+v, %v, %v; want none", d, msgs, err)
	}
	if _, err := c.RefreshDelivery(ctx, "j1"); !errors.Is(err, jobs.ErrNoMessageIDs) {
		t.Errorf("RefreshDelivery without a MessageId = %v, want ErrNoMessageIDs", err)
	}
	for i, mid := range []string{"900", "1000", "99"} { // created in this order
		s.SetMessage(ctx, "j1", i, mid, time.Now(), time.Hour)
		s.RecordDelivery(ctx, "j1", store.MessageStats{MessageID: mid, Counts: store.Counts{10, 10, 9}, At: time.Now()})
	}
	d, msgs, err := c.Delivery(ctx, "j1")
	if err != nil || d == nil || d.Totals.Sent != 30 || d.Totals.Received != 27 {
		t.Fatalf("Delivery = %+v, %v; want 30 sent, 27 received", d, err)
	}
	if len(msgs) != 3 || msgs[0].MessageID != "900" || msgs[1].MessageID != "1000" || msgs[2].MessageID != "99" {
		t.Errorf("MessageIds %+v, want the job's order: 900, 1000, 99", msgs)
	}
	asked, err := c.RefreshDelivery(ctx, "j1")
	if err != nil {
		t.Fatal(err)
	}
	info, err := asynq.NewInspectorFromRedisClient(rdb).GetTaskInfo(store.StatsQueue(prefix), store.StatsAskTaskID("j1", asked))
	if err != nil || info.Type != store.TypeStats {
		t.Errorf("asked refresh task = %+v, %v; want a push:stats task on the stats queue", info, err)
	}
	if _, _, err := c.Delivery(ctx, "nope"); !errors.Is(err, jobs.ErrJobNotFound) {
		t.Errorf("Delivery(nope) = %v, want ErrJobNotFound", err)
	}
}

func TestClient_Tasks(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.Namespace(t)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
	defer c.Close()
	s := store.New(rdb, prefix)
	j := contentJob(25000)
	j.ID = "nc-expired-1"
	c.Enqueue(ctx, j)
	s.FinishChunks(ctx, j.ID, []store.ChunkOutcome{{Index: 12, Outcome: store.Outcome{Failed: 1000, Code: "X"}}}, store.NoNext, time.Hour)
	// The range task that pushed chunk 12, archived as a failed one would be:
	// a job of 25 chunks has ranges of one chunk (store.MinRanges).
	aq := asynq.NewClientFromRedisClient(rdb)
	defer aq.Close()
	queue := store.QueueOf(prefix, "")
	if _, err := aq.Enqueue(asynq.NewTask(store.TypeChunks, nil), asynq.Queue(queue), asynq.TaskID(store.ChunksTaskID(j.ID, 12)),
		asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := c.Tasks(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []jobs.Task{{Queue: queue, ID: "nc-expired-1:plan", Kind: "plan", State: "pending"},
		{Queue: queue, ID: "nc-expired-1:r12", Kind: "chunks", State: "scheduled"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Tasks = %+v, want %+v", got, want)
	}
}
