package e2e

import (
	"testing"
	"time"

	"github.com/cpush/cpush/internal/faultnet"
	"github.com/cpush/cpush/push"
)

// TestFault_WorkerKilled kills a worker with SIGKILL at the worst moments,
// found from outside: the worker reaches the simulator through a proxy of
// its own that holds the answers to one action (the service has carried
// each call out, the worker waits), and the test kills the worker once it
// holds one:
//
//   - Push: the worker holds the lock of the slot whose MessageId it is
//     creating (and of the slots it creates ahead);
//   - ContinuouslyPush: chunks were delivered and their done markers are
//     not written;
//   - CompleteContinuouslyPush: the job is finishing.
//
// The killed worker ran alone; a replacement starts at once, and another
// 61s after the kill, whose start runs asynq's lease recovery and takes
// the dead worker's tasks back (as TestFleet_KillWorker does). The job must
// complete with every target pushed and counted once, every duplicate
// delivery reported as a possible duplicate, and no more duplicates than
// the calls whose answers were held.
func TestFault_WorkerKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a minute and a half")
	}
	t.Parallel()
	tests := []struct {
		name   string
		action string
		chunks int
		settle time.Duration // from the first held answer to the kill
	}{
		{"creating a MessageId", push.ActionPush, 50, 200 * time.Millisecond},
		{"between a push and its done marker", push.ActionContinuouslyPush, 50, 500 * time.Millisecond},
		{"finishing", push.ActionCompleteContinuouslyPush, 30, 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFleet(t, "--latency", "20ms")
			p := faultnet.Start(t, f.simAddr)
			hold := p.Hold("Action=" + tt.action + "&")
			settings := map[string]string{"CPUSH_RATE_CONTINUOUSLY_PUSH": "50", "CPUSH_CONCURRENCY": "8"}
			victim := f.worker(map[string]string{"CPUSH_PUSH_ENDPOINT": "http://" + p.Addr(),
				"CPUSH_RATE_CONTINUOUSLY_PUSH": "50", "CPUSH_CONCURRENCY": "8"})
			file, vals := writeTargets(t, "w", tt.chunks*1000)
			f.send(file, "worker-killed")
			select {
			case line := <-hold.Held():
				t.Logf("holding the answer to %s", tail(line, 120))
			case <-time.After(time.Minute):
				t.Fatalf("no %s call within a minute: %s", tt.action, describe(f.status("worker-killed")))
			}
			time.Sleep(tt.settle)
			victim.kill()
			killed := time.Now()
			held := hold.Count()
			hold.Release()
			t.Logf("killed %s holding %d %s answers; %s", victim.name, held, tt.action, describe(f.status("worker-killed")))
			f.worker(settings)
			time.Sleep(time.Until(killed.Add(61 * time.Second)))
			f.worker(settings)
			st, ended := f.waitFinal("worker-killed", 2*time.Minute)
			t.Logf("job ended %v, %s after the kill", ended, time.Since(killed).Round(time.Second))
			maxDup := 0
			if tt.action == push.ActionContinuouslyPush {
				maxDup = held * 1000
			}
			checkJob(t, f, st, want{targets: vals, maxDuplicates: maxDup, reported: true,
				why: "the chunks whose ContinuouslyPush answers were held when the worker died, 1,000 targets each"})
		})
	}
}
