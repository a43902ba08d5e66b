package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
)

// TestBinary_SendWait runs the simulator, two worker processes and
// `cpush send --wait --json`, then stops the workers with SIGTERM.
func TestBinary_SendWait(t *testing.T) {
	f := newFleet(t)
	w1 := f.worker(map[string]string{"CPUSH_CONCURRENCY": "4"})
	w2 := f.worker(map[string]string{"CPUSH_CONCURRENCY": "4"})
	file, vals := writeTargets(t, "e", 12000)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := run(t, ctx, f.env, "send", "--app-key", "23267207", "--target", "DEVICE", "--targets-file", file,
		"--title", "Hello", "--body", "From the e2e test", "--id", "e2e-send", "--wait", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got jobs.Summary
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("send --json printed %q: %v", out, err)
	}
	if got.ID != "e2e-send" || got.Status != jobs.StatusCompleted || got.Pushed != 12000 || len(got.MessageIDs) != 2 {
		t.Errorf("summary = %+v, want e2e-send completed with 12000 pushed on 2 MessageIds", got)
	}
	var st pushsim.Stats
	getJSON(t, "http://"+f.simAddr+"/sim/stats", &st)
	for _, v := range vals {
		if n := st.Delivered("DEVICE", v); n != 1 {
			t.Fatalf("target %s delivered %d times, want 1", v, n)
		}
	}
	for mid, m := range st.PerMessage {
		if !m.Completed {
			t.Errorf("MessageId %s not completed", mid)
		}
	}
	w1.stop(20 * time.Second)
	w2.stop(20 * time.Second)
}
