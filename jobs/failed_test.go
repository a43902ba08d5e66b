package jobs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
)

func TestClient_Failed(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.Namespace(t)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
	defer c.Close()
	j := contentJob(3500)
	plan, err := c.Enqueue(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	// Outcomes as workers record them; chunk 4 is not done yet.
	done := (jobs.Keys{Prefix: prefix}).Done(plan.ID)
	if err := rdb.HSet(ctx, done, "0", "pushed", "1", "failed:InvalidParameter",
		"2", "partial:300:MessageLimitExceeded", "3", "cancelled").Err(); err != nil {
		t.Fatal(err)
	}
	var got []jobs.FailedTarget
	err = c.Failed(ctx, plan.ID, func(f jobs.FailedTarget) error {
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatalf("Failed: %v", err)
	}
	var want []jobs.FailedTarget
	for _, v := range j.Targets[1000:2000] {
		want = append(want, jobs.FailedTarget{Target: v, Code: "InvalidParameter"})
	}
	for _, v := range j.Targets[2300:3000] {
		want = append(want, jobs.FailedTarget{Target: v, Code: "MessageLimitExceeded"})
	}
	if len(got) != len(want) {
		t.Fatalf("Failed gave %d targets, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("failed target %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	t.Run("stops at the callback's error", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := c.Failed(ctx, plan.ID, func(jobs.FailedTarget) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("Failed = %v after %d calls, want stop after 1", err, n)
		}
	})
	t.Run("unknown job", func(t *testing.T) {
		err := c.Failed(ctx, "nope", func(jobs.FailedTarget) error { return nil })
		if !errors.Is(err, jobs.ErrJobNotFound) {
			t.Errorf("Failed(unknown) = %v, want ErrJobNotFound", err)
		}
	})
}
