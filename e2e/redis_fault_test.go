package e2e

import (
	"maps"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
)

// redisFleet starts a redis-server of the test's own with opts, and a
// simulator with simArgs for workers on it.
func redisFleet(t *testing.T, opts redistest.ServerOptions, simArgs ...string) (*fleet, *redistest.Server) {
	t.Helper()
	srv := redistest.StartServer(t, opts)
	return newFleetOn(t, srv.URL(), srv.Client(t), redistest.Prefix(t), simArgs...), srv
}

// alive checks that every worker the test started is still running: they
// must ride out a fault without a restart.
func (f *fleet) alive() {
	f.t.Helper()
	for _, w := range f.workers {
		select {
		case err := <-w.done:
			w.done <- err
			f.t.Errorf("%s exited during the fault: %v", w.name, err)
		default:
		}
	}
}

// The shape of the Redis fault tests' job: 300 chunks of 1,000 through
// three workers of concurrency 8, paced at 50 calls/s with 20ms of service
// latency, so the job takes about six seconds unbroken.
const (
	redisFaultChunks      = 300
	redisFaultRate        = 50
	redisFaultWorkers     = 3
	redisFaultConcurrency = 8
)

var redisFaultSettings = map[string]string{"CPUSH_RATE_CONTINUOUSLY_PUSH": "50", "CPUSH_CONCURRENCY": "8", "CPUSH_RESCUE_AFTER": "10s"}

// startFaultJob starts redisFaultWorkers workers with redisFaultSettings and
// extra, sends job id of redisFaultChunks chunks of targets tagged tag, and
// waits until a third of its chunks are done, where each fault test
// strikes. It returns the targets and the job's status then.
func (f *fleet) startFaultJob(id, tag string, extra map[string]string) ([]string, *jobs.Status) {
	f.t.Helper()
	settings := maps.Clone(redisFaultSettings)
	maps.Copy(settings, extra)
	for range redisFaultWorkers {
		f.worker(settings)
	}
	file, vals := writeTargets(f.t, tag, redisFaultChunks*1000)
	f.send(file, id)
	return vals, f.waitChunks(id, redisFaultChunks/3, time.Minute)
}

// TestFault_RedisCrash kills Redis mid-job (a third of the chunks done) and
// restarts it from its AOF 3s later, with three workers that must
// reconnect by themselves. The job must complete with no target failed or
// lost and no MessageId over its limit.
//
// everysec: the crash is a host's, so the last second of writes, told
// successful, is lost (Server.Crash): done markers, reservations and asynq's
// own state go back a second. The chunks done in that second are pushed
// again: duplicates are bounded by a second of calls plus the calls in
// flight, and the worker cannot know of them all.
//
// always: nothing answered is lost. Only the calls in flight when Redis
// died may be pushed again, and the job must report them as possible
// duplicates; and it must complete within 45s of the restart (what is
// left takes about 4s), not wait for asynq's lease recovery (60-120s),
// unless the crash orphaned a task (see watchOrphans): then it has that
// recovery's 3 minutes. everysec always gets them: asynq's own state went
// back a second, and tasks it shows active that no worker runs come back
// only through that recovery.
func TestFault_RedisCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a minute")
	}
	t.Parallel()
	inFlight := redisFaultWorkers * redisFaultConcurrency
	tests := []struct {
		name          string
		fsync         string
		lost          time.Duration
		maxDuplicates int
		why           string
		reported      bool
		resume        time.Duration // the longest from the restart to the job's end
	}{
		{"everysec host crash", "everysec", time.Second, (redisFaultRate*1 + inFlight) * 1000,
			"the chunks of the lost second (50 calls) and the 24 in flight, 1,000 targets each", false, 3 * time.Minute},
		{"always", "always", 0, inFlight * 1000,
			"the 24 calls in flight (3 workers x concurrency 8), 1,000 targets each", true, 45 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, srv := redisFleet(t, redistest.ServerOptions{AppendFsync: tt.fsync}, "--latency", "20ms")
			vals, before := f.startFaultJob("redis-crash", "c", nil)
			if tt.lost > 0 {
				t.Logf("crash drops %d bytes of AOF (%s)", srv.Crash(tt.lost), tt.lost)
			} else {
				srv.Kill()
			}
			killed := time.Now()
			time.Sleep(3 * time.Second)
			srv.Restart()
			restarted := time.Now()
			orphans := f.watchOrphans()
			after := f.status("redis-crash")
			t.Logf("before the crash: %s; after the restart: %s", describe(before), describe(after))
			st, ended := f.waitFinal("redis-crash", 3*time.Minute)
			took := time.Since(restarted).Round(time.Second)
			t.Logf("job ended %v, %s after the restart (crash at %s)", ended, took, killed.Format(time.TimeOnly))
			resume := tt.resume
			if seen := orphans(); len(seen) > 0 {
				t.Logf("tasks orphaned by the crash, left to asynq's lease recovery: %v", seen)
				resume = max(resume, 3*time.Minute)
			}
			if took > resume {
				t.Errorf("the job took %s after the restart to end, want at most %s", took, resume)
			}
			f.alive()
			checkJob(t, f, st, want{targets: vals, maxDuplicates: tt.maxDuplicates, why: tt.why, reported: tt.reported, lostWrites: tt.lost > 0})
		})
	}
}
