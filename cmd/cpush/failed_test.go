package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/push/alibaba"
)

// TestRun_Failed: a message-id job whose MessageId takes only 1,000 pushes
// fails one of its two chunks; `cpush failed` lists exactly the targets the
// simulator did not deliver.
func TestRun_Failed(t *testing.T) {
	if !redistest.Real() {
		t.Skip("needs a real Redis: the binary connects by URL")
	}
	_, prefix := redistest.Namespace(t)
	sim := pushsim.New(pushsim.Config{MessageLimit: 1000, NoQuotas: true})
	hs := httptest.NewServer(sim)
	defer hs.Close()
	vars := map[string]string{
		"CPUSH_REDIS_URL": redistest.URL(), "CPUSH_PREFIX": prefix, "CPUSH_PUSH_ENDPOINT": hs.URL,
		"ALIBABA_CLOUD_ACCESS_KEY_ID": pushsim.TestAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": pushsim.TestAccessKeySecret,
		"CPUSH_HTTP_ADDR": "off", "CPUSH_LOG_LEVEL": "error", "CPUSH_CONCURRENCY": "1",
	}
	svc, err := alibaba.New(alibaba.Config{Region: "cn-hangzhou", Endpoint: hs.URL,
		AccessKeyID: pushsim.TestAccessKeyID, AccessKeySecret: pushsim.TestAccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.CreateMessage(context.Background(), 23267207, push.Message{Title: "t", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, err := runCmd(t, ctx, vars, "worker"); done <- err }()
	defer func() { cancel(); <-done }()

	lines := make([]string, 1500)
	for i := range lines {
		lines[i] = device("f", i)
	}
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	_, _, err = runCmd(t, wctx, vars, "send", "--app-key", "23267207", "--target", "DEVICE", "--targets-file", writeTargets(t, lines...),
		"--message-id", res.MessageID, "--id", "failing", "--wait")
	if exitCode(err) != exitFailed {
		t.Fatalf("send --wait = %v (exit %d), want exit %d: some targets failed", err, exitCode(err), exitFailed)
	}
	out, _, err := runCmd(t, ctx, vars, "failed", "failing")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(out)
	st := sim.Stats()
	var want []string
	for _, v := range lines {
		if st.Delivered(push.TargetDevice, v) == 0 {
			want = append(want, v)
		}
	}
	if len(want) == 0 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("failed printed %d targets (%v...), want the %d undelivered (%v...)", len(got), got[:min(3, len(got))], len(want), want[:min(3, len(want))])
	}
	out, _, err = runCmd(t, ctx, vars, "failed", "failing", "--json", "--code", push.CodeMessageLimitExceeded)
	if err != nil {
		t.Fatal(err)
	}
	var first struct{ Target, Code string }
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &first); err != nil || first.Target != want[0] || first.Code != push.CodeMessageLimitExceeded {
		t.Errorf("failed --json first line = %+v (%v), want %s with %s", first, err, want[0], push.CodeMessageLimitExceeded)
	}
	if out, _, _ := runCmd(t, ctx, vars, "failed", "failing", "--code", "Nope"); out != "" {
		t.Errorf("failed --code Nope printed %q, want nothing", out)
	}
}
