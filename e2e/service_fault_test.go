package e2e

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/faultnet"
)

// pushOutage is how long TestFault_PushServiceUnreachable cuts the push
// service off: 2 minutes, or CPUSH_FAULT_PUSH_OUTAGE (a Go duration) for
// the manual long run, e.g. 10m (see docs/fault-tests.md).
func pushOutage(t *testing.T) (time.Duration, bool) {
	if v := os.Getenv("CPUSH_FAULT_PUSH_OUTAGE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("CPUSH_FAULT_PUSH_OUTAGE: %v", err)
		}
		return d, true
	}
	return 2 * time.Minute, false
}

// TestFault_PushServiceUnreachable cuts three workers off the push service
// mid-job through a proxy: for the first half of the outage every request
// reaches the service and is carried out, but its answer is dropped (the
// connection is reset as the answer begins); for the second half every
// connection is refused. Then the service is back. The job must complete
// within 90s after, with no target failed, no MessageId over its limit at
// the service, every duplicate delivery reported as a possible duplicate,
// and no more duplicates than the calls in flight when the answers began
// to drop plus one probe call per worker every 5 seconds of the drop half
// (what a circuit breaker that stops calls until a probe succeeds sends).
//
// CPUSH_MAX_RETRY is 5 here, so a chunk that uses up a retry on each failed
// call fails within this outage, as one with the default 10 would in a
// ten-minute one: an outage must not use up retries at all. The manual
// run (CPUSH_FAULT_PUSH_OUTAGE=10m) keeps the default.
func TestFault_PushServiceUnreachable(t *testing.T) {
	if testing.Short() {
		t.Skip("takes four minutes")
	}
	t.Parallel()
	outage, manual := pushOutage(t)
	f := newFleet(t, "--latency", "20ms")
	p := faultnet.Start(t, f.simAddr)
	settings := map[string]string{"CPUSH_PUSH_ENDPOINT": "http://" + p.Addr()}
	if !manual {
		settings["CPUSH_MAX_RETRY"] = "5"
	}
	vals, before := f.startFaultJob("push-outage", "o", settings)
	cutAt := time.Now()
	setMode(t, p, faultnet.DropAnswers)
	time.Sleep(outage / 2)
	dropped := p.Stats().Dropped
	mid := f.status("push-outage")
	setMode(t, p, faultnet.Refuse)
	time.Sleep(time.Until(cutAt.Add(outage)))
	setMode(t, p, faultnet.Pass)
	t.Logf("outage of %s after %s: %d answers dropped; at the switch to refusing: %s; at the end: %s",
		outage, describe(before), dropped, describe(mid), describe(f.status("push-outage")))
	st, ended := f.waitFinal("push-outage", 90*time.Second+outage/10)
	t.Logf("job ended %v, %s after the service came back", ended, time.Since(cutAt.Add(outage)).Round(time.Second))
	f.alive()
	probes := redisFaultWorkers * int(outage/2/(5*time.Second))
	inFlight := redisFaultWorkers * redisFaultConcurrency
	checkJob(t, f, st, want{targets: vals, maxDuplicates: (inFlight + probes) * 1000, reported: true,
		why: "the 24 calls in flight when answers began to drop and one probe per worker every 5s of the drop half, 1,000 targets each"})
	for _, w := range f.workers {
		if n := workerLines(w, `"chunk failed"`); n > 0 {
			t.Errorf("%s: %d chunks failed; the first: %s", w.name, n, firstLine(w.out.String(), `"chunk failed"`))
		}
	}
}

func setMode(t *testing.T, p *faultnet.Proxy, m faultnet.Mode) {
	t.Helper()
	if err := p.Set(m); err != nil {
		t.Fatal(err)
	}
}

// firstLine is the first line of log that contains sub.
func firstLine(log, sub string) string {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, sub) {
			return tail(line, 400)
		}
	}
	return ""
}
