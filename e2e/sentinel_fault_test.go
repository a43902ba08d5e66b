package e2e

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/redistest"
)

// TestFault_SentinelFailover fails Redis over to its replica mid-job (a
// third of the chunks done), as an operator's SENTINEL FAILOVER does, with
// three workers on the Sentinel URL. The job must complete with every
// count right. Replication is asynchronous, and the old master takes the
// writes of clients that have not yet heard of the switch until the
// sentinels demote it, so some writes may be lost, as in TestFault_RedisCrash
// with everysec: duplicates are bounded by the calls of the failover's
// length (from SENTINEL FAILOVER until every sentinel names the new master:
// the old one takes writes until it is demoted, and they are lost) plus the
// calls in flight, and the job has 3 minutes after the failover. With
// CPUSH_REDIS_MIN_REPLICAS=1 each call's in-flight mark is on the replica
// before the call goes out: duplicates are bounded by the calls in flight,
// and every one is counted in possible_duplicates.
func TestFault_SentinelFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a minute")
	}
	t.Parallel()
	for _, tt := range []struct {
		name     string
		replicas string // CPUSH_REDIS_MIN_REPLICAS
	}{{"asynchronous", "0"}, {"one replica holds each mark", "1"}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := redistest.StartSentinels(t, redistest.ServerOptions{})
			f := newFleetOn(t, s.URL(), s.Client(t), redistest.Prefix(t), "--latency", "20ms")
			vals, before := f.startFaultJob("failover", "s", map[string]string{"CPUSH_REDIS_MIN_REPLICAS": tt.replicas})
			start := time.Now()
			master := s.Failover()
			took := time.Since(start)
			t.Logf("failed over to %s in %s after %s", master, took.Round(time.Millisecond), describe(before))
			st, ended := f.waitFinal("failover", 3*time.Minute)
			t.Logf("job ended %v, %s after the failover", ended, time.Since(start).Round(time.Second))
			f.alive()
			inFlight := redisFaultWorkers * redisFaultConcurrency
			lost := int(math.Ceil(took.Seconds() * redisFaultRate))
			w := want{targets: vals, maxDuplicates: (lost + inFlight) * 1000,
				why:        fmt.Sprintf("the %d calls of the %s failover and the %d in flight, 1,000 targets each", lost, took.Round(time.Millisecond), inFlight),
				lostWrites: true}
			if tt.replicas != "0" {
				// Every mark of a call that went out is on the replica that
				// takes over: only the calls in flight may be repeated, and
				// the job counts each.
				w.maxDuplicates, w.why, w.reported = inFlight*1000, fmt.Sprintf("the %d calls in flight, 1,000 targets each", inFlight), true
			}
			checkJob(t, f, st, w)
		})
	}
}
