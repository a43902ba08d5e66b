package main

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/syncbuf"
)

// TestDev_DemoJobCompletes runs `cpush dev` as the quickstart does: its
// demo job must complete on the embedded Redis (miniredis, whatever Redis
// the tests otherwise use) and the simulator, and dev must stop cleanly.
func TestDev_DemoJobCompletes(t *testing.T) {
	vars := map[string]string{"CPUSH_HTTP_ADDR": "off", "CPUSH_LOG_LEVEL": "warn"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncbuf.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"dev", "--demo-targets", "2500"}, func(k string) string { return vars[k] }, &out, &errb)
	}()
	completed := regexp.MustCompile(`(?m)^job \S+: completed$`)
	deadline := time.Now().Add(30 * time.Second)
	for !completed.MatchString(out.String()) {
		select {
		case err := <-done:
			t.Fatalf("dev stopped early: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("the demo job did not complete in 30s\nstdout:\n%s\nstderr:\n%s", out.String(), errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !regexp.MustCompile(`(?m)^  pushed: +2500$`).MatchString(out.String()) {
		t.Errorf("the demo job's summary does not say 2500 pushed:\n%s", out.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("dev returned %v after Ctrl-C, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("dev did not stop within 15s of Ctrl-C")
	}
	if s := errb.String(); s != "" {
		t.Errorf("dev wrote to stderr at level warn:\n%s", s)
	}
}
