package worker

import (
	"testing"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// TestWorker_RangesFirst checks that store.RangeFirst, by which the job
// page finds the task of a failed chunk, names the range the plan cut for
// every chunk.
func TestWorker_RangesFirst(t *testing.T) {
	tests := []struct {
		name   string
		limits jobs.Limits
		chunks int
	}{
		{"10 chunks a message", jobs.DefaultLimits, 95},
		{"one chunk a message", jobs.Limits{Limit: 1000, Unit: push.UnitTargets, TTL: jobs.DefaultLimits.TTL}, 13},
		{"15 chunks a message", jobs.Limits{Limit: 15000, Unit: push.UnitTargets, TTL: jobs.DefaultLimits.TTL}, 61},
		{"calls", jobs.Limits{Limit: 25, Unit: push.UnitCalls, TTL: jobs.DefaultLimits.TTL}, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &Worker{opts: Options{Limits: tt.limits}}
			per := tt.limits.ChunksPerMessage()
			j := &store.Job{ID: "j", Chunks: tt.chunks, ChunkSize: store.ChunkSize}
			for _, r := range w.ranges(j) {
				for i := r.First; i < r.First+r.Count; i++ {
					if got := store.RangeFirst(j, i, per); got != r.First {
						t.Errorf("RangeFirst(%d, %d) = %d, the plan's range starts at %d", i, per, got, r.First)
					}
				}
			}
		})
	}
}
