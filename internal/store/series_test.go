package store_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/store"
)

func TestStore_Series(t *testing.T) {
	t.Run("pushed targets are counted when chunks are recorded", func(t *testing.T) {
		s := setup(t)
		staged(t, s, "j1", 3, "")
		before := time.Now().Truncate(time.Second)
		s.FinishChunks(ctx, "j1", []store.ChunkOutcome{{Index: 0, Outcome: store.Outcome{Pushed: 2}}}, store.NoNext, time.Hour)
		s.FinishChunks(ctx, "j1", []store.ChunkOutcome{{Index: 0, Outcome: store.Outcome{Pushed: 2}}}, store.NoNext, time.Hour) // not counted twice
		s.FinishChunks(ctx, "j1", []store.ChunkOutcome{{Index: 1, Outcome: store.Outcome{Failed: 2, Code: "X"}}}, store.NoNext, time.Hour)
		s.FinishChunks(ctx, "j1", []store.ChunkOutcome{{Index: 2, Outcome: store.Outcome{Pushed: 1, Failed: 1, Code: "X"}}}, store.NoNext, time.Hour)
		got, err := s.ReadSeries(ctx, "j1")
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, n := range got.Pushed {
			sum += n
		}
		if sum != 3 || got.Width != time.Second || got.Start.Before(before.Add(-time.Second)) {
			t.Errorf("series = %+v, want 3 pushed in buckets of 1s from about %v", got, before)
		}
		if ttl := s.Redis().PTTL(ctx, s.Keys().Series("j1")).Val(); ttl <= 0 || ttl > time.Hour {
			t.Errorf("series TTL = %s, want the job keys'", ttl)
		}
	})
	t.Run("a long job's buckets widen and stay bounded", func(t *testing.T) {
		s := setup(t)
		staged(t, s, "j1", 1, "")
		// A job that began 3 hours ago, one bucket of 10 every second so far.
		now := time.Now().Unix()
		start := now - 3*3600
		key := s.Keys().Series("j1")
		fields := []any{store.SeriesWidth, "1", store.SeriesStart, strconv.FormatInt(now-store.SeriesMaxBuckets+1, 10)}
		for t := now - store.SeriesMaxBuckets + 1; t < now; t++ {
			fields = append(fields, strconv.FormatInt(t, 10), "10")
		}
		s.Redis().HSet(ctx, key, fields...)
		s.Redis().HSet(ctx, key, store.SeriesStart, strconv.FormatInt(start, 10), strconv.FormatInt(start, 10), "7")
		s.FinishChunks(ctx, "j1", []store.ChunkOutcome{{Index: 0, Outcome: store.Outcome{Pushed: 2}}}, store.NoNext, time.Hour)
		got, err := s.ReadSeries(ctx, "j1")
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, n := range got.Pushed {
			sum += n
		}
		want := int64(10*(store.SeriesMaxBuckets-1) + 7 + 2)
		if sum != want || len(got.Pushed) > store.SeriesMaxBuckets || got.Width < 16*time.Second {
			t.Errorf("series of %d buckets of %s, %d pushed; want at most %d buckets of at least 16s, %d pushed",
				len(got.Pushed), got.Width, sum, store.SeriesMaxBuckets, want)
		}
		if n := s.Redis().HLen(ctx, key).Val(); n > store.SeriesMaxBuckets+2 {
			t.Errorf("series hash has %d fields, want at most %d", n, store.SeriesMaxBuckets+2)
		}
		if got.Pushed[0] != 7 {
			t.Errorf("first bucket = %d, want the 7 of the job's first second: %s", got.Pushed[0], fmt.Sprint(got.Pushed[:3]))
		}
	})
	t.Run("none pushed", func(t *testing.T) {
		s := setup(t)
		if got, err := s.ReadSeries(ctx, "nope"); err != nil || len(got.Pushed) != 0 {
			t.Errorf("ReadSeries = %+v, %v; want empty", got, err)
		}
	})
}

func TestRangeFirst(t *testing.T) {
	tests := []struct {
		name                    string
		index, perMessage, want int
	}{
		{"first chunk", 0, 10, 0},
		{"within the first range", 9, 10, 0},
		{"next message", 10, 10, 10},
		{"one chunk a message", 7, 1, 7},
		{"second range of a long message", 25, 100, 20},
		{"message of 15 chunks", 16, 15, 15},
		{"second range of a message of 15", 27, 15, 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			large := &store.Job{Chunks: 1000} // ranges of RangeSize
			if got := store.RangeFirst(large, tt.index, tt.perMessage); got != tt.want {
				t.Errorf("RangeFirst(%d, %d) = %d, want %d", tt.index, tt.perMessage, got, tt.want)
			}
		})
	}
}

// TestRanges: every chunk of a job is in one range, ranges stay within a
// message, a small content job gets MinRanges of them, a message-id job's
// are RangeSize long whatever its limit, and RangeFirst finds each chunk's
// range.
func TestRanges(t *testing.T) {
	for _, j := range []*store.Job{
		{ID: "large", Chunks: 1000}, {ID: "small", Chunks: 40}, {ID: "tiny", Chunks: 5},
		{ID: "message-id", Chunks: 40, MessageID: "500131"},
	} {
		for _, per := range []int{10, 15, 1} {
			next := 0
			ranges := store.Ranges(j, per)
			for _, r := range ranges {
				message := r.First / per
				if j.MessageID != "" {
					message = 0 // one MessageId, the producer's
				}
				if r.First != next || r.Count < 1 || r.Message != message || (j.MessageID == "" && (r.First+r.Count-1)/per != r.Message) ||
					(j.MessageID != "" && r.Count != min(store.RangeSize, j.Chunks-r.First)) {
					t.Errorf("%s, %d a message: range %+v after chunk %d", j.ID, per, r, next)
				}
				for i := r.First; i < r.First+r.Count; i++ {
					if got := store.RangeFirst(j, i, per); got != r.First {
						t.Errorf("%s: RangeFirst(%d) = %d, want %d", j.ID, i, got, r.First)
					}
				}
				next = r.First + r.Count
			}
			if next != j.Chunks {
				t.Errorf("%s: the ranges cover %d of %d chunks", j.ID, next, j.Chunks)
			}
			if j.MessageID == "" && j.Chunks >= store.MinRanges && len(ranges) < store.MinRanges {
				t.Errorf("%s, %d a message: %d ranges, want at least %d", j.ID, per, len(ranges), store.MinRanges)
			}
		}
	}
}
