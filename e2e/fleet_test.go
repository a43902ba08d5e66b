package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
)

// sample is the simulator's ContinuouslyPush counters at a moment.
type sample struct {
	at            time.Time
	ok, throttled int
}

// watch polls the simulator's counters every interval until ctx is done.
func (f *fleet) watch(ctx context.Context, interval time.Duration) <-chan []sample {
	out := make(chan []sample, 1)
	go func() {
		var all []sample
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			var c pushsim.Counts
			getJSON(f.t, "http://"+f.simAddr+"/sim/counts", &c)
			calls := c.Calls["ContinuouslyPush"]
			all = append(all, sample{at: time.Now(), ok: calls["OK"], throttled: calls["Throttling.User"]})
			select {
			case <-ctx.Done():
				out <- all
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// steadyRate is the OK call rate between the first sample two seconds
// after sending began and the last sample two seconds before it ended.
func steadyRate(t testing.TB, s []sample) (float64, time.Duration) {
	t.Helper()
	first, last := -1, -1
	for i, x := range s {
		if first < 0 && x.ok > 0 {
			first = i
		}
		if i > 0 && x.ok > s[i-1].ok {
			last = i
		}
	}
	if first < 0 || last < 0 {
		t.Fatal("no calls seen")
	}
	a, b := s[first], s[last]
	for _, x := range s[first:last] {
		if x.at.Sub(s[first].at) >= 2*time.Second {
			a = x
			break
		}
	}
	for i := last; i > first; i-- {
		if s[last].at.Sub(s[i].at) >= 2*time.Second {
			b = s[i]
			break
		}
	}
	d := b.at.Sub(a.at)
	return float64(b.ok-a.ok) / d.Seconds(), d
}

func (f *fleet) waitJob(id string, timeout time.Duration) *jobs.Status {
	f.t.Helper()
	c := jobs.NewClient(f.rdb, jobs.Options{Prefix: f.env["CPUSH_PREFIX"]})
	defer c.Close()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		st, err := c.Status(context.Background(), id)
		if err == nil && st.Final() {
			return st
		}
		time.Sleep(200 * time.Millisecond)
	}
	f.t.Fatalf("job %s did not finish within %s", id, timeout)
	return nil
}

func (f *fleet) send(file, id string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // 10M targets stage in minutes
	defer cancel()
	if _, err := run(f.t, ctx, f.env, "send", "--app-key", "23267207", "--target", "DEVICE",
		"--targets-file", file, "--title", "T", "--body", "B", "--id", id); err != nil {
		f.t.Fatal(err)
	}
}

// TestFleet_SharedRate: three worker processes share a 100 calls/s quota
// that the simulator enforces. Over the steady window they use at least
// 95% of it, at most 1% of calls are throttled, and every target arrives
// exactly once.
func TestFleet_SharedRate(t *testing.T) {
	if testing.Short() {
		t.Skip("takes half a minute")
	}
	const rate, chunks = 100, 2300
	f := newFleet(t, "--qps-continuously-push", "100")
	for range 3 {
		f.worker(map[string]string{"CPUSH_RATE_CONTINUOUSLY_PUSH": "100", "CPUSH_CONCURRENCY": "8"})
	}
	file, vals := writeTargets(t, "r", chunks*1000)
	ctx, stopWatch := context.WithCancel(context.Background())
	samples := f.watch(ctx, 500*time.Millisecond)
	f.send(file, "fleet-rate")
	st := f.waitJob("fleet-rate", 2*time.Minute)
	stopWatch()
	s := <-samples

	if st.Status != jobs.StatusCompleted || st.Pushed != len(vals) {
		t.Fatalf("job = %s with %d pushed, want completed with %d", st.Status, st.Pushed, len(vals))
	}
	got, window := steadyRate(t, s)
	last := s[len(s)-1]
	throttledShare := float64(last.throttled) / float64(last.ok+last.throttled)
	t.Logf("steady rate %.1f calls/s over %s; %d of %d calls throttled (%.2f%%)", got, window.Round(time.Millisecond),
		last.throttled, last.ok+last.throttled, 100*throttledShare)
	if window < 15*time.Second {
		t.Errorf("steady window %s, want at least 15s", window)
	}
	if got < 0.95*rate {
		t.Errorf("steady rate %.1f calls/s, want at least %.0f", got, 0.95*rate)
	}
	if throttledShare > 0.01 {
		t.Errorf("%.2f%% of calls throttled, want at most 1%%", 100*throttledShare)
	}
	var sim pushsim.Stats
	getJSON(t, "http://"+f.simAddr+"/sim/stats", &sim)
	if sim.Duplicates != 0 || len(sim.Deliveries) != len(vals) {
		t.Errorf("simulator: %d distinct targets, %d duplicates; want %d, 0", len(sim.Deliveries), sim.Duplicates, len(vals))
	}
}
