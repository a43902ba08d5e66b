package worker_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

// BenchmarkWorker_ChunkThroughput compares, in one run and against the same
// simulator, one worker pushing a job of calls*1,000 targets at a given
// concurrency with a plain loop of SDK calls (through the adapter) at the
// same concurrency. The worker's chunk throughput runs from its first
// ContinuouslyPush call to the end of its last, as the plain loop's does;
// job_calls/s runs from the staged job to its final status, so it adds
// the plan's pick-up, creating and completing MessageIds, and polling.
// With latency 0 the simulator, the SDK, Redis and the worker share this
// machine's cores, so the ratio measures cpush's CPU per chunk; with a
// network-like latency it measures what the queue, Redis and the rules add
// to each call.
func BenchmarkWorker_ChunkThroughput(b *testing.B) {
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			benchmarkThroughput(b, latency)
		})
	}
}

func benchmarkThroughput(b *testing.B, latency time.Duration) {
	const calls, concurrency = 1000, 16
	e := setup(b, pushsim.Config{Latency: latency}, worker.Options{Rates: worker.Rates{ContinuouslyPush: 100000, Push: 10000, Complete: 10000}})
	timed := &pushSpan{Service: e.svc}
	e.startWorkerWith(timed, concurrency)
	targets := devices("b", calls*1000)
	var plain, chunks, job time.Duration
	for i := 0; i < b.N; i++ {
		plain += plainLoop(b, e, calls, concurrency, targets)
		e.sim.Reset()
		timed.reset()
		j := contentJob(targets)
		j.ID = fmt.Sprintf("bench-%d", i)
		plan, err := e.client.Enqueue(context.Background(), j)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		st := e.wait(plan.ID, 5*time.Minute)
		job += time.Since(start)
		chunks += timed.span()
		if st.Pushed != len(targets) {
			b.Fatalf("pushed %d, want %d", st.Pushed, len(targets))
		}
		e.sim.Reset()
	}
	total := float64(calls * b.N)
	b.ReportMetric(total/plain.Seconds(), "plain_calls/s")
	b.ReportMetric(total/chunks.Seconds(), "cpush_calls/s")
	b.ReportMetric(plain.Seconds()/chunks.Seconds(), "ratio")
	b.ReportMetric(total/job.Seconds(), "job_calls/s")
}

// pushSpan is the real adapter, timing its PushChunk calls from the start
// of the first to the end of the last.
type pushSpan struct {
	push.Service
	mu          sync.Mutex
	first, last time.Time
}

func (p *pushSpan) PushChunk(ctx context.Context, appKey int64, mid, target string, values []string) (push.Result, error) {
	start := time.Now()
	res, err := p.Service.PushChunk(ctx, appKey, mid, target, values)
	end := time.Now()
	p.mu.Lock()
	if p.first.IsZero() || start.Before(p.first) {
		p.first = start
	}
	if end.After(p.last) {
		p.last = end
	}
	p.mu.Unlock()
	return res, err
}

func (p *pushSpan) reset() {
	p.mu.Lock()
	p.first, p.last = time.Time{}, time.Time{}
	p.mu.Unlock()
}

func (p *pushSpan) span() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last.Sub(p.first)
}

// plainLoop makes calls ContinuouslyPush calls of 1,000 values from
// concurrency goroutines, creating a message per 10 calls as the limit needs.
func plainLoop(b *testing.B, e *env, calls, concurrency int, targets []string) time.Duration {
	ctx := context.Background()
	mids := make([]string, (calls+9)/10)
	for i := range mids {
		res, err := e.svc.CreateMessage(ctx, testAppKey, push.Message{Title: "t", Body: "b"})
		if err != nil {
			b.Fatal(err)
		}
		mids[i] = res.MessageID
	}
	next := make(chan int, calls)
	for i := range calls {
		next <- i
	}
	close(next)
	start := time.Now()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for i := range next {
				if _, err := e.svc.PushChunk(ctx, testAppKey, mids[i/10], push.TargetDevice, targets[i*1000:(i+1)*1000]); err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}
