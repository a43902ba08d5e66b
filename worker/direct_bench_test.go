package worker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

// BenchmarkWorker_DirectJobs pushes jobs of 10 accounts on the direct path
// through one in-process worker (concurrency 50) and the simulator, and
// reports the jobs completed per second from the staged batch to the last
// final status. With -cpuprofile it shows where a small job's time goes.
//
//	go test -run x -bench DirectJobs -benchtime 3x -cpuprofile cpu.out ./worker/
func BenchmarkWorker_DirectJobs(b *testing.B) {
	const n = 3000
	for i := 0; i < b.N; i++ {
		e := setup(b, pushsim.Config{}, worker.Options{Rates: worker.Rates{ContinuouslyPush: push.RateContinuouslyPushDefault,
			Push: push.RatePushDefault, Complete: push.RateCompleteDefault}})
		e.startWorker(50)
		batch := make([]jobs.Job, 0, n)
		for k := range n {
			batch = append(batch, accountJob(fmt.Sprintf("bench-%d", k), devices(fmt.Sprintf("b%d-", k), 10)))
		}
		start := time.Now()
		for first := 0; first < n; first += jobs.MaxBatchJobs {
			if _, err := e.client.EnqueueMany(context.Background(), batch[first:first+jobs.MaxBatchJobs]); err != nil {
				b.Fatal(err)
			}
		}
		for deadline := time.Now().Add(time.Minute); e.sim.Counts().Calls["Push"]["OK"] < n; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatal("the jobs did not finish within a minute")
			}
		}
		for k := n - 1; k >= 0; k-- {
			e.wait(fmt.Sprintf("bench-%d", k), 10*time.Second)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "jobs/s")
	}
}
