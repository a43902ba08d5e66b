package jobs_test

import (
	"context"
	"errors"
	"iter"
	"testing"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
)

// seq yields values, then err if it is not nil.
func seq(values []string, err error) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for _, v := range values {
			if !yield(v, nil) {
				return
			}
		}
		if err != nil {
			yield("", err)
		}
	}
}

func TestClient_EnqueueSeq(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.Namespace(t)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
	defer c.Close()

	t.Run("same plan and chunks as Enqueue", func(t *testing.T) {
		values := append(targets(24000), targets(500)...)
		header := contentJob(0)
		header.Targets = nil
		plan, err := c.EnqueueSeq(ctx, header, seq(values, nil))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := c.Plan(jobs.Job{AppKey: 1, Target: "DEVICE", Targets: values, Message: header.Message})
		want.ID = plan.ID
		if plan != want {
			t.Errorf("EnqueueSeq plan = %+v, want %+v", plan, want)
		}
		st, err := c.Status(ctx, plan.ID)
		if err != nil || st.Status != jobs.StatusQueued || st.Unique != 24000 || st.Chunks != 24 {
			t.Errorf("Status = %+v, %v; want queued, 24000 unique in 24 chunks", st, err)
		}
		n, _ := rdb.HLen(ctx, (jobs.Keys{Prefix: prefix}).Chunks(plan.ID)).Result()
		if n != 24 {
			t.Errorf("staged %d chunks, want 24", n)
		}
	})
	readErr := errors.New("connection reset")
	tests := []struct {
		name      string
		header    func(*jobs.Job)
		values    []string
		err       error
		wantField string
		wantErr   error
	}{
		{name: "bad value", values: []string{device(1), device(2), "c d"}, wantField: "targets[2]"},
		{name: "bad value after a duplicate", values: []string{device(1), device(1), ""}, wantField: "targets[2]"},
		{name: "not a device ID", values: []string{device(1), "d2"}, wantField: "targets[1]"},
		{name: "no targets", values: nil, wantField: "targets"},
		{name: "targets in the header", header: func(j *jobs.Job) { j.Targets = []string{"x"} }, values: targets(1), wantField: "targets"},
		{name: "bad header", header: func(j *jobs.Job) { j.AppKey = 0 }, values: targets(1), wantField: "app_key"},
		{name: "read error", values: targets(2), err: readErr, wantErr: readErr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := contentJob(0)
			header.Targets, header.ID = nil, "refused"
			if tt.header != nil {
				tt.header(&header)
			}
			_, err := c.EnqueueSeq(ctx, header, seq(tt.values, tt.err))
			var fe *jobs.FieldError
			switch {
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("EnqueueSeq = %v, want %v", err, tt.wantErr)
			case tt.wantErr == nil && (!errors.As(err, &fe) || fe.Field != tt.wantField):
				t.Errorf("EnqueueSeq = %v, want a *FieldError for %s", err, tt.wantField)
			}
			if _, err := c.Status(ctx, "refused"); !errors.Is(err, jobs.ErrJobNotFound) {
				t.Errorf("the refused job is still there: %v", err)
			}
		})
	}
	t.Run("duplicate id", func(t *testing.T) {
		header := contentJob(0)
		header.Targets, header.ID = nil, "seq-dup"
		if _, err := c.EnqueueSeq(ctx, header, seq(targets(1), nil)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.EnqueueSeq(ctx, header, seq(targets(1), nil)); !errors.Is(err, jobs.ErrDuplicateJob) {
			t.Errorf("second EnqueueSeq = %v, want ErrDuplicateJob", err)
		}
	})
}
