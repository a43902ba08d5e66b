package jobs_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// BenchmarkClient_Enqueue1M enqueues a job of 1,000,000 device IDs of 32
// characters and reports the Redis memory of the job's keys against the
// raw bytes of its targets (mem/raw).
func BenchmarkClient_Enqueue1M(b *testing.B) {
	const n = 1_000_000
	rdb, prefix := redistest.Namespace(b)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
	defer c.Close()
	targets := make([]string, n)
	raw := 0
	for i := range targets {
		targets[i] = fmt.Sprintf("%032x", i*2654435761)
		raw += len(targets[i])
	}
	ctx := context.Background()
	var last jobs.Plan
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		job := jobs.Job{AppKey: 1, Target: push.TargetDevice, Targets: targets,
			Message: &push.Message{Title: "t", Body: "b"}}
		p, err := c.Enqueue(ctx, job)
		if err != nil {
			b.Fatal(err)
		}
		last = p
	}
	b.StopTimer()
	if !redistest.Real() {
		return // miniredis has no MEMORY USAGE
	}
	mem := int64(0)
	for _, k := range (jobs.Keys{Prefix: prefix}).JobKeys(last.ID) {
		m, err := rdb.MemoryUsage(ctx, k, 0).Result()
		if err == nil {
			mem += m
		}
	}
	b.ReportMetric(float64(mem)/float64(raw), "mem/raw")
	b.ReportMetric(float64(mem)/(1<<20), "MiB")
}
