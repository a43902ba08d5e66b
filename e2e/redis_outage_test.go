package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/faultnet"
	"github.com/cpush/cpush/internal/redistest"
)

// redisOutage is how long TestFault_RedisUnreachable cuts Redis off;
// CPUSH_FAULT_REDIS_OUTAGE (a Go duration) overrides it for a manual run.
func redisOutage(t *testing.T) time.Duration {
	if v := os.Getenv("CPUSH_FAULT_REDIS_OUTAGE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("CPUSH_FAULT_REDIS_OUTAGE: %v", err)
		}
		return d
	}
	return 60 * time.Second
}

// Bounds of TestFault_RedisUnreachable.
const (
	// failFast bounds `cpush send` and POST /v1/jobs while Redis is away.
	failFast = 10 * time.Second
	// linesPerMinute bounds what a worker logs per minute of outage: a few
	// lines per kind of trouble and interval (every 10s, say), not one per
	// task and attempt.
	linesPerMinute = 30
)

// TestFault_RedisUnreachable cuts three workers off Redis for a minute
// mid-job, two ways: Redis stopped with SIGSTOP (connections open, nothing
// answers: each command waits for its timeout) and refused by a proxy in
// front of it (every connect fails at once). During the outage the
// workers stay up, each logs at most linesPerMinute lines a minute (at
// the info level), /readyz answers 503, and `cpush send` and POST
// /v1/jobs fail within failFast with an error that names Redis. After it
// /readyz answers 200 within 10s, and the job completes with every count
// right within 3 minutes. No worker spends more than a tenth of the
// outage on CPU (a loop that retries without pause burns a core).
func TestFault_RedisUnreachable(t *testing.T) {
	if testing.Short() {
		t.Skip("takes two minutes")
	}
	t.Parallel()
	tests := []struct {
		name string
		cut  func(srv *redistest.Server, p *faultnet.Proxy) (restore func())
	}{
		{"paused", func(srv *redistest.Server, _ *faultnet.Proxy) func() {
			srv.Pause()
			return srv.Resume
		}},
		{"refused", func(_ *redistest.Server, p *faultnet.Proxy) func() {
			if err := p.Set(faultnet.Refuse); err != nil {
				t.Fatal(err)
			}
			return func() {
				if err := p.Set(faultnet.Pass); err != nil {
					t.Error(err)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := redistest.StartServer(t, redistest.ServerOptions{AppendFsync: "always"})
			p := faultnet.Start(t, srv.Addr())
			f := newFleetOn(t, "redis://"+p.Addr(), srv.Client(t), redistest.Prefix(t), "--latency", "20ms")
			vals, before := f.startFaultJob("redis-outage", "u", map[string]string{"CPUSH_LOG_LEVEL": "info"})
			outage := redisOutage(t)
			marks, cpu0 := f.logMarks(), f.cpuTimes()
			restore := tt.cut(srv, p)
			cutAt := time.Now()
			time.Sleep(5 * time.Second)
			f.checkDuringOutage(t)
			time.Sleep(time.Until(cutAt.Add(outage)))
			restore()
			lines, cpu := f.linesSince(marks), f.cpuTimes()
			t.Logf("outage of %s after %s", outage, describe(before))
			for i, w := range f.workers {
				t.Logf("%s during the outage: %d log lines, %.1f CPU-seconds", w.name, lines[i], (cpu[i] - cpu0[i]).Seconds())
				if busy := cpu[i] - cpu0[i]; busy > outage/10 {
					t.Errorf("%s used %s of CPU during the %s outage, want at most a tenth of it", w.name, busy, outage)
				}
				if max := int(linesPerMinute * outage.Minutes()); lines[i] > max {
					t.Errorf("%s logged %d lines during the %s outage, want at most %d; the most frequent: %s",
						w.name, lines[i], outage, max, frequent(w.out.String()[marks[i]:]))
				}
			}
			for _, w := range f.workers {
				waitReady(t, w, http.StatusOK, 10*time.Second)
			}
			st, ended := f.waitFinal("redis-outage", 3*time.Minute)
			t.Logf("job ended %v, %s after Redis came back", ended, time.Since(cutAt.Add(outage)).Round(time.Second))
			f.alive()
			checkJob(t, f, st, want{targets: vals, maxDuplicates: redisFaultWorkers * redisFaultConcurrency * 1000,
				why: "the 24 calls in flight when Redis went away (3 workers x concurrency 8), 1,000 targets each", reported: true})
		})
	}
}

// checkDuringOutage checks, Redis being away, that the workers answer
// /readyz 503 and that `cpush send` and POST /v1/jobs fail fast and say
// why.
func (f *fleet) checkDuringOutage(t *testing.T) {
	t.Helper()
	for _, w := range f.workers {
		waitReady(t, w, http.StatusServiceUnavailable, 5*time.Second)
	}
	file, _ := writeTargets(t, "x", 10)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	_, err := run(t, ctx, f.env, "send", "--app-key", "23267207", "--target", "DEVICE", "--targets-file", file,
		"--title", "T", "--body", "B")
	took := time.Since(start)
	t.Logf("cpush send during the outage: %s: %v", took.Round(time.Millisecond), err)
	if err == nil || took > failFast || !strings.Contains(err.Error(), "Redis") {
		t.Errorf("cpush send during the outage took %s and returned %v; want an error that names Redis within %s", took, err, failFast)
	}
	start = time.Now()
	code, body := postJob(t, f.workers[0].http)
	took = time.Since(start)
	t.Logf("POST /v1/jobs during the outage: %s: %d %s", took.Round(time.Millisecond), code, body)
	if code < 500 || took > failFast || !strings.Contains(strings.ToLower(body), "redis") {
		t.Errorf("POST /v1/jobs during the outage took %s and answered %d %s; want a 5xx that names Redis within %s",
			took, code, body, failFast)
	}
}

// postJob posts a one-target job to a worker's HTTP API and returns the
// status code and body (code 0 and the error when no answer came).
func postJob(t *testing.T, addr string) (int, string) {
	c := &http.Client{Timeout: 2 * time.Minute}
	resp, err := c.Post("http://"+addr+"/v1/jobs", "application/json", strings.NewReader(
		`{"app_key": 23267207, "target": "DEVICE", "targets": ["a692961a92534047ad3625aa7c1e0d4b"], "message": {"title": "T", "body": "B"}}`))
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// readyzTimeout bounds a /readyz answer: its own Redis check takes 2s at
// most, and a probe that waits longer counts as failed anyway.
const readyzTimeout = 3 * time.Second

// waitReady waits until a worker's /readyz answers want within
// readyzTimeout.
func waitReady(t *testing.T, w *proc, want int, timeout time.Duration) {
	t.Helper()
	c := &http.Client{Timeout: readyzTimeout}
	last := "nothing"
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		start := time.Now()
		resp, err := c.Get("http://" + w.http + "/readyz")
		if err != nil {
			last = fmt.Sprintf("no answer within %s (%v)", time.Since(start).Round(time.Millisecond), err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == want {
			return
		}
		last = resp.Status
	}
	t.Errorf("%s: /readyz: %s for %s; want %d within %s", w.name, last, timeout, want, readyzTimeout)
}

// logMarks are the lengths of the workers' output so far.
func (f *fleet) logMarks() []int {
	out := make([]int, len(f.workers))
	for i, w := range f.workers {
		out[i] = len(w.out.String())
	}
	return out
}

// linesSince counts the lines each worker logged since marks.
func (f *fleet) linesSince(marks []int) []int {
	out := make([]int, len(f.workers))
	for i, w := range f.workers {
		out[i] = strings.Count(w.out.String()[marks[i]:], "\n")
	}
	return out
}

func (f *fleet) cpuTimes() []time.Duration {
	out := make([]time.Duration, len(f.workers))
	for i, w := range f.workers {
		out[i] = cpuTime(f.t, w.cmd.Process.Pid)
	}
	return out
}

// frequent names the three messages logged most often in a worker's
// JSON log lines, with their counts.
func frequent(log string) string {
	counts := map[string]int{}
	for _, line := range strings.Split(log, "\n") {
		if _, rest, ok := strings.Cut(line, `"msg":"`); ok {
			msg, _, _ := strings.Cut(rest, `"`)
			if len(msg) > 60 {
				msg = msg[:60]
			}
			counts[msg]++
		}
	}
	var top []string
	for range 3 {
		best, n := "", 0
		for m, c := range counts {
			if c > n {
				best, n = m, c
			}
		}
		if n == 0 {
			break
		}
		top = append(top, strconv.Quote(best)+" x"+strconv.Itoa(n))
		delete(counts, best)
	}
	return strings.Join(top, ", ")
}
