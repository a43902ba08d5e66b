package e2e

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkFleet_Quota500 runs two worker processes against the simulator
// enforcing 500 ContinuouslyPush calls/s, cpush's shared rate at 500/s, on
// this machine, and reports the share of the quota used over the steady
// window, the throttled calls, and each worker's CPU time and peak memory.
//
//	go test -run x -bench Fleet -benchtime 1x ./e2e/
func BenchmarkFleet_Quota500(b *testing.B) {
	const rate, chunks = 500, 8000
	for i := 0; i < b.N; i++ {
		benchFleet(b, rate, chunks, i)
	}
}

func benchFleet(b *testing.B, rate, chunks, run int) {
	f := newFleet(b, "--qps-continuously-push", strconv.Itoa(rate))
	settings := map[string]string{"CPUSH_RATE_CONTINUOUSLY_PUSH": strconv.Itoa(rate), "CPUSH_CONCURRENCY": "32"}
	w1, w2 := f.worker(settings), f.worker(settings)
	file, _ := writeTargets(b, "q", chunks*1000)
	cpu0 := []time.Duration{cpuTime(b, w1.cmd.Process.Pid), cpuTime(b, w2.cmd.Process.Pid)}
	ctx, stopWatch := context.WithCancel(context.Background())
	samples := f.watch(ctx, 500*time.Millisecond)
	id := fmt.Sprintf("bench-%d", run)
	f.send(file, id)
	st := f.waitJob(id, 5*time.Minute)
	stopWatch()
	s := <-samples
	got, window := steadyRate(b, s)
	last := s[len(s)-1]
	b.ReportMetric(got/float64(rate), "quota_share")
	b.ReportMetric(float64(last.throttled), "throttled_calls")
	b.ReportMetric(float64(st.Pushed)/1e6, "Mtargets")
	b.ReportMetric(window.Seconds(), "window_s")
	for i, w := range []*proc{w1, w2} {
		pid := w.cmd.Process.Pid
		b.ReportMetric((cpuTime(b, pid) - cpu0[i]).Seconds(), fmt.Sprintf("w%d_cpu_s", i+1))
		b.ReportMetric(peakRSS(b, pid), fmt.Sprintf("w%d_peak_MiB", i+1))
	}
}

// cpuTime is the user and system CPU time of process pid so far.
func cpuTime(b testing.TB, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // clock ticks (USER_HZ 100)
}

// peakRSS is process pid's peak resident memory in MiB (VmHWM).
func peakRSS(b testing.TB, pid int) float64 {
	mib := procMiB(pid, "VmHWM:")
	if mib == 0 {
		b.Fatalf("no VmHWM for process %d", pid)
	}
	return mib
}
