package worker_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

// TestWorker_CompletedMessageIDIsNoRollover: a message-id job on a
// MessageId its producer completed fails its targets MessageCompleted, and
// its failure is not called a rollover: none happens in message-id mode.
func TestWorker_CompletedMessageIDIsNoRollover(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	e := setup(t, pushsim.Config{}, worker.Options{Logger: zap.New(core)})
	e.startWorker(4)
	ctx := context.Background()
	msg, err := e.svc.CreateMessage(ctx, testAppKey, push.Message{Title: "t", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CompleteMessage(ctx, testAppKey, msg.MessageID); err != nil {
		t.Fatal(err)
	}
	job := contentJob(devices("c", 1500))
	job.Message, job.MessageID = nil, msg.MessageID
	st := e.wait(e.enqueue(job).ID, 30*time.Second)
	if st.Status != jobs.StatusFailed || st.Failed[push.CodeMessageCompleted] != 1500 {
		t.Fatalf("status %s failed %s, want failed with 1500 MessageCompleted", st.Status, failedCodes(st))
	}
	failed := logs.FilterMessage("chunk failed").All()
	if len(failed) == 0 {
		t.Fatal("no chunk failure logged")
	}
	for _, entry := range failed {
		if msg := entry.ContextMap()["error"]; strings.Contains(fmt.Sprint(msg), "rollover") {
			t.Errorf("a message-id chunk's failure says %q: no rollover happens in message-id mode", msg)
		}
	}
}
