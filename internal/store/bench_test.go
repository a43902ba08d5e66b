package store_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/internal/store"
)

// BenchmarkStore_FinishChunks records one pushed chunk a call, marking the
// next in flight, as a range run does after each call, and reports the
// Redis server's microseconds a call (INFO commandstats; 0 on the
// miniredis fallback).
//
//	go test -run x -bench FinishChunks ./internal/store/
func BenchmarkStore_FinishChunks(b *testing.B) {
	rdb, prefix := redistest.Namespace(b)
	s := store.New(rdb, prefix)
	if ok, err := s.Claim(ctx, "j", time.Now(), time.Hour); err != nil || !ok {
		b.Fatalf("Claim = %v, %v", ok, err)
	}
	j := &store.Job{ID: "j", AppKey: 7, TargetType: "DEVICE", Total: 1000 * b.N, Unique: 1000 * b.N, Chunks: b.N,
		Queue: "q", CreatedAt: time.Now(), Message: []byte(`{"body":"b"}`)}
	if err := s.Commit(ctx, j, time.Hour, time.Hour); err != nil {
		b.Fatal(err)
	}
	us0 := scriptMicros(b, rdb)
	b.ResetTimer()
	for i := range b.N {
		next := store.Next{Index: i + 1, Token: "t"}
		if _, err := s.FinishChunks(ctx, "j", []store.ChunkOutcome{{Index: i, Outcome: store.Outcome{Pushed: 1000}}},
			next, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(scriptMicros(b, rdb)-us0)/float64(b.N), "redis_us/op")
}

// scriptMicros is the Redis server's microseconds spent in EVALSHA so far.
func scriptMicros(b *testing.B, rdb redis.UniversalClient) int64 {
	info, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	return redistest.ParseCommandStats(info)["evalsha"].Usec
}
