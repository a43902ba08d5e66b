package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
)

// runCmd runs the binary's run with env vars and returns its output.
func runCmd(t *testing.T, ctx context.Context, vars map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return vars[k] }
	err = run(ctx, args, getenv, &out, &errb)
	return out.String(), errb.String(), err
}

func writeTargets(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "targets.txt")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRun_Errors(t *testing.T) {
	closed := func() string {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		defer ln.Close()
		return ln.Addr().String()
	}()
	targets := writeTargets(t, device("d", 1), device("d", 2))
	send := []string{"send", "--app-key", "1", "--target", "DEVICE", "--targets-file", targets, "--body", "b"}
	tests := []struct {
		name     string
		vars     map[string]string
		args     []string
		wantCode int
		want     string
	}{
		{"no command", nil, nil, exitUsage, "no command"},
		{"unknown command", nil, []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"bad flag", nil, []string{"send", "--nope"}, exitUsage, "flag provided but not defined: -nope"},
		{"no redis url", nil, []string{"worker"}, exitUsage, "CPUSH_REDIS_URL: required"},
		{"bad redis url", map[string]string{"CPUSH_REDIS_URL": "http://x"}, []string{"status", "j1"}, exitUsage, "CPUSH_REDIS_URL"},
		{"bad concurrency", map[string]string{"CPUSH_REDIS_URL": "redis://127.0.0.1:6379", "CPUSH_CONCURRENCY": "abc"}, []string{"worker"}, exitUsage, "CPUSH_CONCURRENCY"},
		{"short API token", map[string]string{"CPUSH_REDIS_URL": "redis://" + closed, "CPUSH_API_TOKENS": "0123456789abcdef"}, []string{"api"}, exitUsage, "CPUSH_API_TOKENS: token 1 of 1 has 16 characters, at least 32"},
		{"placeholder API token", map[string]string{"CPUSH_REDIS_URL": "redis://" + closed, "CPUSH_API_TOKENS": "replace-me-with-a-long-random-token"}, []string{"worker"}, exitUsage, "CPUSH_API_TOKENS: token 1 of 1 is a placeholder"},
		{"redis not answering", map[string]string{"CPUSH_REDIS_URL": "redis://" + closed}, []string{"status", "j1"}, exitError, "does not answer"},
		{"tag target", map[string]string{"CPUSH_REDIS_URL": "redis://" + closed},
			[]string{"send", "--app-key", "1", "--target", "TAG", "--targets-file", targets, "--body", "b", "--dry-run"}, exitUsage, "target: ContinuouslyPush takes only"},
		{"no targets file", map[string]string{"CPUSH_REDIS_URL": "redis://" + closed},
			[]string{"send", "--app-key", "1", "--target", "DEVICE", "--body", "b"}, exitUsage, "--targets-file is required"},
		{"content and message id", map[string]string{"CPUSH_REDIS_URL": "redis://" + closed},
			append(append([]string{}, send...), "--message-id", "5"), exitUsage, "--message-id cannot be used with"},
		{"bad start time", map[string]string{"CPUSH_REDIS_URL": "redis://" + closed},
			append(append([]string{}, send...), "--at", "tomorrow"), exitUsage, "--at must be an RFC 3339 time"},
		{"no credentials", map[string]string{"CPUSH_REDIS_URL": "redis://" + closed, "HOME": t.TempDir()}, []string{"worker"}, exitError, "no credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID"},
		{"status without id", map[string]string{"CPUSH_REDIS_URL": "redis://" + closed}, []string{"status"}, exitUsage, "takes one job ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, context.Background(), tt.vars, tt.args...)
			if err == nil {
				t.Fatalf("run(%v) succeeded, want an error with %q", tt.args, tt.want)
			}
			if code := exitCode(err); code != tt.wantCode || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%v) = %q (exit %d), want exit %d and %q", tt.args, err, code, tt.wantCode, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans several lines, want one", err)
			}
		})
	}
}

func TestRun_SendDryRun(t *testing.T) {
	targets := make([]string, 0, 24500)
	for i := range 24000 {
		targets = append(targets, device("dev", i))
	}
	targets = append(targets, targets[:500]...)
	file := writeTargets(t, targets...)
	vars := map[string]string{"CPUSH_REDIS_URL": "redis://127.0.0.1:1"} // never dialled
	out, _, err := runCmd(t, context.Background(), vars, "send", "--app-key", "23267207", "--target", "device",
		"--targets-file", file, "--title", "T", "--body", "B", "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"nothing enqueued", "24500 given, 24000 unique, 500 duplicates removed",
		"24 ContinuouslyPush calls", "message ids:  3 (at most 10000 targets each)", "48ms at 500 calls/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// device is a device ID (32 digits and lower-case letters) that starts
// with tag.
func device(tag string, i int) string { return fmt.Sprintf("%s%0*d", tag, 32-len(tag), i) }

// TestRun_SendWaitJSON sends a job with the binary's send --wait --json
// against a worker run in the test (serveWorker) and the simulator, on a
// single Redis, on Sentinel and on Redis Cluster, each chosen by the
// settings alone.
func TestRun_SendWaitJSON(t *testing.T) {
	topologies := []struct {
		name  string
		redis func(t *testing.T) map[string]string
	}{
		{"single", func(t *testing.T) map[string]string {
			if !redistest.Real() {
				t.Skip("needs a real Redis: the binary connects by URL")
			}
			return map[string]string{"CPUSH_REDIS_URL": redistest.URL()}
		}},
		{"sentinel", func(t *testing.T) map[string]string {
			return map[string]string{"CPUSH_REDIS_URL": redistest.Sentinel(t)}
		}},
		{"cluster", func(t *testing.T) map[string]string {
			_, url := redistest.Cluster(t)
			return map[string]string{"CPUSH_REDIS_URL": url, "CPUSH_REDIS_CLUSTER": "true"}
		}},
	}
	for _, tt := range topologies {
		t.Run(tt.name, func(t *testing.T) { sendWaitJSON(t, tt.redis(t)) })
	}
}

func sendWaitJSON(t *testing.T, vars map[string]string) {
	_, prefix := redistest.Namespace(t)
	sim := pushsim.New(pushsim.Config{NoQuotas: true})
	hs := httptest.NewServer(sim)
	defer hs.Close()
	for k, v := range map[string]string{
		"CPUSH_PREFIX": prefix, "CPUSH_PUSH_ENDPOINT": hs.URL,
		"ALIBABA_CLOUD_ACCESS_KEY_ID": pushsim.TestAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": pushsim.TestAccessKeySecret,
		"CPUSH_HTTP_ADDR": "off", "CPUSH_LOG_LEVEL": "error",
	} {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, err := runCmd(t, ctx, vars, "worker"); done <- err }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	}()
	lines := make([]string, 2500)
	for i := range lines {
		lines[i] = device("w", i)
	}
	file := writeTargets(t, lines...)
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	out, _, err := runCmd(t, wctx, vars, "send", "--app-key", "23267207", "--target", "DEVICE", "--targets-file", file,
		"--title", "T", "--body", "B", "--id", "cli-job-1", "--wait", "--json")
	if err != nil {
		t.Fatalf("send --wait: %v", err)
	}
	var got jobs.Summary
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output %q is not one JSON object: %v", out, err)
	}
	if got.ID != "cli-job-1" || got.Status != "completed" || got.Total != 2500 || got.Pushed != 2500 || len(got.MessageIDs) != 1 {
		t.Errorf("summary = %+v, want cli-job-1 completed, 2500 pushed, 1 MessageId", got)
	}
	if n := len(sim.Stats().Deliveries); n != 2500 {
		t.Errorf("simulator delivered %d targets, want 2500", n)
	}
	// status --json prints the same summary; delivery statistics may have
	// come in since (their first refresh follows the end at once).
	out2, _, err := runCmd(t, ctx, vars, "status", "cli-job-1", "--json")
	var again jobs.Summary
	if err == nil {
		err = json.Unmarshal([]byte(out2), &again)
	}
	got.Delivery, again.Delivery = nil, nil
	if err != nil || !reflect.DeepEqual(again, got) {
		t.Errorf("status --json = %q, %v; want the summary of %q", out2, err, out)
	}
}
