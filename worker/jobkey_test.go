package worker_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

// keyRecorder passes calls to the real adapter and keeps the JobKey of
// each message it is asked to create.
type keyRecorder struct {
	push.Service
	mu   sync.Mutex
	keys []string
}

func (r *keyRecorder) CreateMessage(ctx context.Context, appKey int64, msg push.Message) (push.Result, error) {
	r.mu.Lock()
	r.keys = append(r.keys, msg.JobKey)
	r.mu.Unlock()
	return r.Service.CreateMessage(ctx, appKey, msg)
}

func (r *keyRecorder) PushTargets(ctx context.Context, appKey int64, msg push.Message, target string, values []string) (push.Result, error) {
	r.mu.Lock()
	r.keys = append(r.keys, msg.JobKey)
	r.mu.Unlock()
	return r.Service.PushTargets(ctx, appKey, msg, target, values)
}

// TestWorker_JobKey: every Push call, with Target=TBD or (the direct path)
// with the job's targets, carries the job's ID as its JobKey (mapped to
// the documented form), unless the producer set one.
func TestWorker_JobKey(t *testing.T) {
	tests := []struct {
		name, id, own, want string
		noDirect            bool
	}{
		{"the job's ID", "jobkey.test.1", "", push.JobKeyFor("jobkey.test.1"), true},
		{"the producer's own", "jobkey-test-2", "campaign-7", "campaign-7", true},
		{"the job's ID, direct", "jobkey.test.3", "", push.JobKeyFor("jobkey.test.3"), false},
		{"the producer's own, direct", "jobkey-test-4", "campaign-7", "campaign-7", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, pushsim.Config{}, worker.Options{})
			rec := &keyRecorder{Service: e.svc}
			e.startWorkerWith(rec, 4)
			e.producer(jobs.Options{NoDirect: tt.noDirect})
			e.enqueue(jobs.Job{ID: tt.id, AppKey: testAppKey, Target: push.TargetDevice, Targets: devices("k", 2),
				Message: &push.Message{Title: "t", Body: "b", JobKey: tt.own}})
			e.wait(tt.id, 20*time.Second)
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.keys) != 1 || rec.keys[0] != tt.want {
				t.Errorf("Push calls carried JobKeys %q, want one with %q", rec.keys, tt.want)
			}
		})
	}
}
