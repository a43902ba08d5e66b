package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

func validJob() jobs.Job {
	return jobs.Job{AppKey: 1, Target: "DEVICE", Targets: targets(2),
		Message: &push.Message{Title: "t", Body: "b"}}
}

func TestClient_EnqueueValidation(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*jobs.Job)
		wantField string
		wantRule  string
	}{
		{"no targets", func(j *jobs.Job) { j.Targets = nil }, "targets", "at least one"},
		{"empty value", func(j *jobs.Job) { j.Targets = []string{device(0), ""} }, "targets[1]", "empty"},
		{"comma", func(j *jobs.Job) { j.Targets = []string{"a,b"} }, "targets[0]", "comma"},
		{"space", func(j *jobs.Job) { j.Targets = []string{"a b"} }, "targets[0]", "whitespace"},
		{"tab", func(j *jobs.Job) { j.Targets = []string{device(0), "a\tb"} }, "targets[1]", "whitespace"},
		{"NUL", func(j *jobs.Job) { j.Target = "ACCOUNT"; j.Targets = []string{"user\x00admin"} }, "targets[0]", "control"},
		{"escape", func(j *jobs.Job) { j.Target = "ALIAS"; j.Targets = []string{"vip\x1b[31m"} }, "targets[0]", "control"},
		{"DEL", func(j *jobs.Job) { j.Target = "ALIAS"; j.Targets = []string{"vip\x7f"} }, "targets[0]", "control"},
		{"bidirectional override", func(j *jobs.Job) { j.Target = "ACCOUNT"; j.Targets = []string{"user\u202egnp.exe"} }, "targets[0]", "control"},
		{"zero-width space", func(j *jobs.Job) { j.Target = "ALIAS"; j.Targets = []string{"vip\u200b"} }, "targets[0]", "control"},
		{"invalid UTF-8", func(j *jobs.Job) { j.Target = "ACCOUNT"; j.Targets = []string{"user\xff\xfe"} }, "targets[0]", "UTF-8"},
		{"device too long", func(j *jobs.Job) { j.Targets = []string{strings.Repeat("d", 65)} }, "targets[0]", "at most 32"},
		{"device too short", func(j *jobs.Job) { j.Targets = []string{device(0), "a692961a92534047ad3625aa"} }, "targets[1]", "not a device ID"},
		{"device in upper case", func(j *jobs.Job) { j.Targets = []string{strings.ToUpper("a692961a92534047ad3625aa12345678")} }, "targets[0]", "not a device ID"},
		{"device with a dash", func(j *jobs.Job) { j.Targets = []string{"a692961a-2534047ad3625aa12345678"} }, "targets[0]", "not a device ID"},
		{"message id with letters", func(j *jobs.Job) { j.Message, j.MessageID = nil, "500131abc" }, "message_id", "digits"},
		{"message id with a brace", func(j *jobs.Job) { j.Message, j.MessageID = nil, "{m:1}" }, "message_id", "digits"},
		{"message over 64 KiB", func(j *jobs.Job) {
			j.Message.Extra = map[string]string{"SmsParams": strings.Repeat("x", 70<<10)}
		}, "message", "at most 65536"},
		{"alias too long", func(j *jobs.Job) { j.Target = "ALIAS"; j.Targets = []string{strings.Repeat("a", 129)} }, "targets[0]", "at most 128"},
		{"tag target", func(j *jobs.Job) { j.Target = "TAG" }, "target", "only DEVICE, ACCOUNT and ALIAS"},
		{"all target", func(j *jobs.Job) { j.Target = "ALL" }, "target", "only DEVICE, ACCOUNT and ALIAS"},
		{"empty target", func(j *jobs.Job) { j.Target = "" }, "target", "only DEVICE, ACCOUNT and ALIAS"},
		{"app key zero", func(j *jobs.Job) { j.AppKey = 0 }, "app_key", "positive"},
		{"app key negative", func(j *jobs.Job) { j.AppKey = -5 }, "app_key", "positive"},
		{"no body", func(j *jobs.Job) { j.Message.Body = "" }, "message.body", "required"},
		{"notice without title", func(j *jobs.Job) { j.Message.Title = "" }, "message.title", "is required"},
		{"long title", func(j *jobs.Job) { j.Message.Title = strings.Repeat("标", 67) }, "message.title", "at most 200"},
		{"message and id", func(j *jobs.Job) { j.MessageID = "123" }, "message_id", "cannot be given with message"},
		{"neither", func(j *jobs.Job) { j.Message = nil }, "message", "is required"},
		{"bad push type", func(j *jobs.Job) { j.Message.PushType = "SMS" }, "message.push_type", "MESSAGE NOTICE"},
		{"unknown extra", func(j *jobs.Job) { j.Message.Extra = map[string]string{"AndroidNotifcationChannel": "x"} }, "message.extra.AndroidNotifcationChannel", "not a parameter"},
		{"reserved extra", func(j *jobs.Job) { j.Message.Extra = map[string]string{"PushTime": "x"} }, "message.extra.PushTime", "does not schedule"},
		{"bad id", func(j *jobs.Job) { j.ID = "a:b" }, "id", "A-Z"},
		{"bad priority", func(j *jobs.Job) { j.Priority = "urgent" }, "priority", "high, default or low"},
		{"created without id", func(j *jobs.Job) { j.MessageCreatedAt = time.Now() }, "message_created_at", "only with message_id"},
		{"start in 2300", func(j *jobs.Job) { j.StartAt = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) }, "start_at", "at most 720h0m0s from now"},
	}
	rdb, prefix := redistest.Namespace(t)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
	defer c.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := validJob()
			tt.edit(&j)
			_, err := c.Enqueue(context.Background(), j)
			var fe *jobs.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Enqueue error = %v, want a *FieldError", err)
			}
			if fe.Field != tt.wantField || !strings.Contains(fe.Rule, tt.wantRule) {
				t.Errorf("error = %q, want field %q and a rule with %q", err, tt.wantField, tt.wantRule)
			}
		})
	}
	keys, err := rdb.Keys(context.Background(), prefix+"*").Result()
	if err != nil || len(keys) != 0 {
		t.Errorf("Redis holds %v (%v) after refused jobs, want nothing", keys, err)
	}
}

func TestJob_Dedupe(t *testing.T) {
	j := jobs.Job{Targets: []string{"a", "b", "a", "c", "b"}}
	got, removed := j.Dedupe()
	if strings.Join(got, ",") != "a,b,c" || removed != 2 {
		t.Errorf("Dedupe() = %v, %d; want [a b c], 2", got, removed)
	}
}

func TestClient_Plan(t *testing.T) {
	tests := []struct {
		name                   string
		job                    jobs.Job
		limits                 jobs.Limits
		wantChunks, wantMIDs   int
		wantUnique, wantOverBy int
	}{
		{"content 24500", contentJob(24500), jobs.DefaultLimits, 25, 3, 24500, 0},
		{"content 10000", contentJob(10000), jobs.DefaultLimits, 10, 1, 10000, 0},
		{"content 10001", contentJob(10001), jobs.DefaultLimits, 11, 2, 10001, 0},
		{"calls unit", contentJob(25000), jobs.Limits{Limit: 10, Unit: "calls", TTL: time.Hour}, 25, 3, 25000, 0},
		{"message id over", midJob(12000), jobs.DefaultLimits, 12, 1, 12000, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := jobs.NewClient(redistest.Client(t), jobs.Options{Limits: tt.limits})
			defer c.Close()
			p, err := c.Plan(tt.job)
			if err != nil {
				t.Fatal(err)
			}
			if p.Chunks != tt.wantChunks || p.MessageIDs != tt.wantMIDs || p.Unique != tt.wantUnique || p.OverLimit != tt.wantOverBy {
				t.Errorf("Plan = %+v, want %d chunks, %d MessageIds, %d unique, %d over", p, tt.wantChunks, tt.wantMIDs, tt.wantUnique, tt.wantOverBy)
			}
			if p.ID == "" {
				t.Errorf("Plan gave no job ID")
			}
		})
	}
}

// targets returns n distinct device IDs.
func targets(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = device(i)
	}
	return out
}

// device returns a device ID, 32 digits and lower-case letters.
func device(i int) string { return fmt.Sprintf("dev%029d", i) }

func contentJob(n int) jobs.Job {
	j := validJob()
	j.Targets = targets(n)
	return j
}

func midJob(n int) jobs.Job {
	return jobs.Job{AppKey: 1, Target: "DEVICE", Targets: targets(n), MessageID: "5001"}
}

func TestClient_StatusAndCancelUnknown(t *testing.T) {
	rdb := redistest.Client(t)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: redistest.Prefix(t)})
	defer c.Close()
	if _, err := c.Status(context.Background(), "nope"); !errors.Is(err, jobs.ErrJobNotFound) {
		t.Errorf("Status: %v, want ErrJobNotFound", err)
	}
	if err := c.Cancel(context.Background(), "nope"); !errors.Is(err, jobs.ErrJobNotFound) {
		t.Errorf("Cancel: %v, want ErrJobNotFound", err)
	}
}

// TestPlanJob_AppKeys: with apps configured, a job for another AppKey
// would be pushed with the top-level credentials; it is refused.
func TestPlanJob_AppKeys(t *testing.T) {
	opts := jobs.Options{AppKeys: []int64{23267207, 33445566}}
	j := validJob()
	j.AppKey = 33445566
	if _, err := jobs.PlanJob(j, opts); err != nil {
		t.Errorf("PlanJob(configured AppKey) = %v, want nil", err)
	}
	j.AppKey = 99999999
	_, err := jobs.PlanJob(j, opts)
	var fe *jobs.FieldError
	if !errors.As(err, &fe) || fe.Field != "app_key" {
		t.Errorf("PlanJob(unconfigured AppKey) = %v, want an app_key field error", err)
	}
	if _, err := jobs.PlanJob(j, jobs.Options{}); err != nil {
		t.Errorf("PlanJob without apps = %v, want any AppKey accepted", err)
	}
}
