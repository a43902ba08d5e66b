package jobs_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
)

func TestClient_EnqueueMany(t *testing.T) {
	ctx := context.Background()
	t.Run("each job on its own, in order", func(t *testing.T) {
		rdb, prefix := redistest.Namespace(t)
		c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
		defer c.Close()
		taken := contentJob(2)
		taken.ID = "taken"
		if _, err := c.Enqueue(ctx, taken); err != nil {
			t.Fatal(err)
		}
		batch := make([]jobs.Job, 5)
		for i := range batch {
			batch[i] = contentJob(10)
			batch[i].ID = "b" + strconv.Itoa(i)
		}
		batch[1].Targets[3] = "has space" // refused: a field
		batch[2].ID = "taken"             // refused: the ID is taken
		batch[4].ID = "b0"                // refused: the ID is earlier in the batch
		batch[3].Targets = targets(2500)  // continuous path
		results, err := c.EnqueueMany(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		var fe *jobs.FieldError
		switch {
		case len(results) != 5:
			t.Fatalf("%d results, want 5", len(results))
		case results[0].Err != nil || results[0].Plan.ID != "b0" || results[0].Plan.Path != jobs.PathDirect:
			t.Errorf("result 0 = %+v, want b0 on the direct path", results[0])
		case !errors.As(results[1].Err, &fe) || fe.Field != "targets[3]":
			t.Errorf("result 1 error = %v, want a field error naming targets[3]", results[1].Err)
		case !errors.Is(results[2].Err, jobs.ErrDuplicateJob), !errors.Is(results[4].Err, jobs.ErrDuplicateJob):
			t.Errorf("results 2 and 4 errors = %v, %v; want ErrDuplicateJob", results[2].Err, results[4].Err)
		case results[3].Err != nil || results[3].Plan.Path != jobs.PathContinuous || results[3].Plan.Chunks != 3:
			t.Errorf("result 3 = %+v, want three chunks on the continuous path", results[3])
		}
		for _, id := range []string{"b0", "b3"} {
			if _, err := c.Status(ctx, id); err != nil {
				t.Errorf("Status(%s): %v", id, err)
			}
		}
		if _, err := c.Status(ctx, "b1"); !errors.Is(err, jobs.ErrJobNotFound) {
			t.Errorf("Status(b1) = %v, want ErrJobNotFound: a refused job writes nothing", err)
		}
		st, err := c.Status(ctx, "taken")
		if err != nil || st.Unique != 2 {
			t.Errorf("Status(taken) = %+v, %v; want the first job untouched", st, err)
		}
		insp := asynq.NewInspectorFromRedisClient(rdb)
		got := map[string]string{}
		for _, q := range []string{prefix + ":default", prefix + ":default:direct"} {
			tasks, err := insp.ListPendingTasks(q)
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range tasks {
				got[tk.ID] = tk.Type
			}
		}
		if got["b0:direct"] != "push:direct" || got["b3:plan"] != "push:plan" || len(got) != 3 {
			t.Errorf("pending tasks = %v, want taken's, b0's push:direct and b3's push:plan", got)
		}
	})
	t.Run("too many jobs", func(t *testing.T) {
		c := jobs.NewClient(redistest.Client(t), jobs.Options{Prefix: redistest.Prefix(t)})
		defer c.Close()
		_, err := c.EnqueueMany(ctx, make([]jobs.Job, jobs.MaxBatchJobs+1))
		var fe *jobs.FieldError
		if !errors.As(err, &fe) || fe.Field != "jobs" {
			t.Errorf("error = %v, want a field error naming jobs", err)
		}
	})
}
