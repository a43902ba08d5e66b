package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/store"
)

func TestStore_CancelQueued(t *testing.T) {
	t.Run("a queued job ends cancelled at once", func(t *testing.T) {
		s := setup(t)
		staged(t, s, "j1", 3, "")
		now := time.Now()
		status, err := s.CancelQueued(ctx, "j1", now, time.Minute)
		if err != nil || status != store.StatusCancelled {
			t.Fatalf("CancelQueued = %q, %v; want cancelled", status, err)
		}
		st, _ := s.ReadState(ctx, "j1")
		if st.Job.Status != store.StatusCancelled || !st.Job.Cancel || st.Progress.Cancelled != 6 ||
			st.Progress.ChunksDone != 3 || st.Job.FinishedAt.UnixMilli() != now.UnixMilli() {
			t.Errorf("state = %+v %+v; want cancelled, 6 targets cancelled, 3 chunks done, finished now", st.Job, st.Progress)
		}
		if ttl := s.Redis().PTTL(ctx, s.Keys().Chunks("j1")).Val(); ttl <= 0 || ttl > time.Minute {
			t.Errorf("chunks TTL = %s, want the final TTL", ttl)
		}
	})
	t.Run("a running job is left to its workers", func(t *testing.T) {
		s := setup(t)
		staged(t, s, "j1", 1, "")
		s.SetRunning(ctx, "j1")
		status, err := s.CancelQueued(ctx, "j1", time.Now(), time.Minute)
		if err != nil || status != store.StatusRunning {
			t.Fatalf("CancelQueued = %q, %v; want running, untouched", status, err)
		}
		if st, _ := s.ReadState(ctx, "j1"); st.Progress.Cancelled != 0 {
			t.Errorf("a running job's targets were counted cancelled: %+v", st.Progress)
		}
	})
	t.Run("an unknown job", func(t *testing.T) {
		s := setup(t)
		if _, err := s.CancelQueued(ctx, "nope", time.Now(), time.Minute); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CancelQueued(nope) = %v, want ErrNotFound", err)
		}
	})
}
