package jobs_test

import (
	"context"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

func TestClient_PlanPath(t *testing.T) {
	alias := contentJob(1000)
	alias.Target = push.TargetAlias
	dups := contentJob(1000)
	dups.Targets = append(dups.Targets, dups.Targets[:500]...) // 1,500 given, 1,000 unique
	tests := []struct {
		name     string
		job      jobs.Job
		noDirect bool
		want     string
	}{
		{name: "ten targets", job: contentJob(10), want: jobs.PathDirect},
		{name: "1000 aliases", job: alias, want: jobs.PathDirect},
		{name: "1000 unique of 1500", job: dups, want: jobs.PathDirect},
		{name: "1001 targets", job: contentJob(1001), want: jobs.PathContinuous},
		{name: "message id", job: midJob(10), want: jobs.PathContinuous},
		{name: "direct path off", job: contentJob(10), noDirect: true, want: jobs.PathContinuous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := jobs.PlanJob(tt.job, jobs.Options{NoDirect: tt.noDirect})
			if err != nil {
				t.Fatal(err)
			}
			if p.Path != tt.want {
				t.Errorf("Plan.Path = %q, want %q", p.Path, tt.want)
			}
			if tt.want == jobs.PathDirect && (p.Chunks != 1 || p.MessageIDs != 1) {
				t.Errorf("direct plan = %+v, want one call and one MessageId", p)
			}
		})
	}
}

// TestClient_EnqueueDirect: a direct job is one push:direct task, its
// status names the path, and nothing else is enqueued.
func TestClient_EnqueueDirect(t *testing.T) {
	rdb, prefix := redistest.Namespace(t)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
	defer c.Close()
	ctx := context.Background()
	job := contentJob(10)
	job.ID = "small-1"
	if _, err := c.Enqueue(ctx, job); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(ctx, "small-1")
	if err != nil || st.Path != jobs.PathDirect || st.Status != jobs.StatusQueued || st.Chunks != 1 {
		t.Fatalf("Status = %+v, %v; want queued on the direct path, one chunk", st, err)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	tasks, err := insp.ListPendingTasks(prefix + ":default:direct")
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 || tasks[0].Type != "push:direct" || tasks[0].ID != "small-1:direct" {
		t.Errorf("pending tasks = %v, want the one push:direct task", tasks)
	}
}
