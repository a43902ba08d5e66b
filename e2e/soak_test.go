package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
)

// BenchmarkSoak_10M runs a job of 10,000,000 targets through two worker
// processes against the simulator (500 calls/s, cpush's rate 500/s), on a
// redis-server of its own, with CPUSH_JOB_TTL 2m. It samples every second
// each worker's resident memory and goroutines, and Redis's used memory,
// through the job and until the job's keys expired, then reports the peaks
// and the memory Redis holds once they did. Not for CI: it takes about five
// minutes and 2 GiB.
//
//	go test -run x -bench Soak -benchtime 1x -timeout 30m ./e2e/
//
// CPUSH_SOAK_TARGETS sets another number of targets.
func BenchmarkSoak_10M(b *testing.B) {
	n := 10_000_000
	if v := os.Getenv("CPUSH_SOAK_TARGETS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("CPUSH_SOAK_TARGETS: %v", err)
		}
	}
	for i := 0; i < b.N; i++ {
		soak(b, n)
	}
}

// soakSample is what soak measures at a moment.
type soakSample struct {
	at         time.Duration // since the job was sent
	rssMiB     []float64     // per worker
	goroutines []int         // per worker
	redisMiB   float64
	pushed     int
}

func soak(b *testing.B, n int) {
	const ttl = 2 * time.Minute
	srv := redistest.StartServer(b, redistest.ServerOptions{})
	rdb := srv.Client(b)
	f := newFleetOn(b, srv.URL(), rdb, redistest.Prefix(b))
	settings := map[string]string{"CPUSH_RATE_CONTINUOUSLY_PUSH": "500", "CPUSH_CONCURRENCY": "32",
		"CPUSH_JOB_TTL": ttl.String()}
	f.env["CPUSH_JOB_TTL"] = ttl.String()
	workers := []*proc{f.worker(settings), f.worker(settings)}
	file := writeSoakTargets(b, n)
	idle := redisMiB(rdb)

	start := time.Now()
	f.send(file, "soak")
	var samples []soakSample
	var st *jobs.Status
	var finished time.Time
	for tick := time.NewTicker(time.Second); ; <-tick.C {
		s := soakSample{at: time.Since(start), redisMiB: redisMiB(rdb)}
		for _, w := range workers {
			s.rssMiB = append(s.rssMiB, procMiB(w.cmd.Process.Pid, "VmRSS:"))
			s.goroutines = append(s.goroutines, goroutines(w.http))
		}
		if got := f.status("soak"); got != nil { // nil once the job's keys expired
			st = got
			if got.Final() && finished.IsZero() {
				finished = time.Now()
			}
		}
		if st != nil {
			s.pushed = st.Pushed
		}
		samples = append(samples, s)
		if !finished.IsZero() && (st == nil || time.Since(finished) > ttl+10*time.Second) {
			break
		}
		if time.Since(start) > 30*time.Minute {
			b.Fatalf("soak: the job did not end within 30 minutes: %s", describe(st))
		}
	}
	if st == nil || st.Status != jobs.StatusCompleted || st.Pushed != n {
		b.Errorf("soak: job %s, want completed with %d pushed", describe(st), n)
	}
	c := f.simCounts()
	if c.Delivered != n {
		b.Errorf("soak: the simulator delivered %d, want %d", c.Delivered, n)
	}
	reportSoak(b, samples, workers, finished.Sub(start), idle)
}

// reportSoak reports the peaks and the memory left, and logs a timeline.
func reportSoak(b *testing.B, samples []soakSample, workers []*proc, took time.Duration, idleMiB float64) {
	var peakRedis float64
	peakG := make([]int, len(workers))
	var timeline strings.Builder
	for i, s := range samples {
		peakRedis = max(peakRedis, s.redisMiB)
		for w := range workers {
			peakG[w] = max(peakG[w], s.goroutines[w])
		}
		if i%30 == 0 || i == len(samples)-1 { // go test shows a benchmark's first 10 log lines
			fmt.Fprintf(&timeline, "  %6s pushed %9d  redis %6.1f MiB  rss %.1f MiB  goroutines %v\n",
				s.at.Round(time.Second), s.pushed, s.redisMiB, s.rssMiB, s.goroutines)
		}
	}
	last := samples[len(samples)-1]
	b.Logf("soak timeline:\n%s", timeline.String())
	b.ReportMetric(took.Seconds(), "job_s")
	b.ReportMetric(peakRedis, "redis_peak_MiB")
	b.ReportMetric(last.redisMiB, "redis_after_ttl_MiB")
	b.ReportMetric(idleMiB, "redis_idle_MiB")
	for i, w := range workers {
		b.ReportMetric(peakRSS(b, w.cmd.Process.Pid), fmt.Sprintf("w%d_peak_rss_MiB", i+1))
		b.ReportMetric(float64(peakG[i]), fmt.Sprintf("w%d_peak_goroutines", i+1))
		b.ReportMetric(float64(last.goroutines[i]), fmt.Sprintf("w%d_end_goroutines", i+1))
	}
}

// writeSoakTargets writes n device IDs to a file without keeping them.
func writeSoakTargets(b *testing.B, n int) string {
	p := filepath.Join(b.TempDir(), "targets.txt")
	fh, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(fh, 1<<20)
	for i := range n {
		fmt.Fprintf(w, "soak%011d\n", i)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		b.Fatal(err)
	}
	return p
}

// redisMiB is the server's used_memory in MiB.
func redisMiB(c *redis.Client) float64 {
	info, err := c.Info(context.Background(), "memory").Result()
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			bytes, _ := strconv.ParseFloat(v, 64)
			return bytes / (1 << 20)
		}
	}
	return 0
}

// procMiB is a /proc/<pid>/status memory field (VmRSS:, VmHWM:) in MiB,
// 0 when unread.
func procMiB(pid int, field string) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseFloat(strings.Fields(v)[0], 64)
			return kb / 1024
		}
	}
	return 0
}

// goroutines is a worker's go_goroutines from /metrics (-1 when unread).
func goroutines(addr string) int {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return int(n)
		}
	}
	return -1
}
