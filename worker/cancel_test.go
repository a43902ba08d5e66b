package worker_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/worker"
)

// TestWorker_CancelScheduled: a job cancelled while it waits for its
// start ends cancelled at once, its plan never runs, and its completion
// webhook still tells how it ended.
func TestWorker_CancelScheduled(t *testing.T) {
	const secret = "whsec-test-0123456789"
	e := setup(t, pushsim.Config{}, worker.Options{})
	recv := newReceiver(t, secret, 0)
	e.startWebhookWorker(secret)
	job := contentJob(devices("c", 3000))
	job.StartAt, job.WebhookURL = time.Now().Add(2*time.Second), recv.srv.URL
	plan := e.enqueue(job)
	if err := e.client.Cancel(context.Background(), plan.ID); err != nil {
		t.Fatal(err)
	}
	st, err := e.client.Status(context.Background(), plan.ID)
	if err != nil || st.Status != jobs.StatusCancelled || st.Cancelled != 3000 {
		t.Fatalf("status right after the cancel = %+v, %v; want cancelled, 3000 targets", st, err)
	}
	got := recv.waitAttempts(1, 30*time.Second)
	var sum jobs.Summary
	if err := json.Unmarshal(got[0].body, &sum); err != nil || sum.Status != jobs.StatusCancelled || sum.Cancelled != 3000 {
		t.Errorf("webhook body %s (%v), want the cancelled summary", got[0].body, err)
	}
	time.Sleep(3 * time.Second) // past the start time: the plan must not run
	if n := len(e.sim.Stats().Deliveries); n != 0 {
		t.Errorf("the simulator delivered %d targets of a cancelled job", n)
	}
	if st, _ := e.client.Status(context.Background(), plan.ID); st.Status != jobs.StatusCancelled || st.Pushed != 0 {
		t.Errorf("status after its start time = %s, %d pushed; want cancelled, none", st.Status, st.Pushed)
	}
}
