package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/store"
)

// stagedDirect stages and commits a direct job of the given targets.
func stagedDirect(t *testing.T, s *store.Store, id string, values ...string) {
	t.Helper()
	if ok, err := s.Claim(ctx, id, time.Now(), time.Hour); err != nil || !ok {
		t.Fatalf("Claim = %v, %v", ok, err)
	}
	j := &store.Job{ID: id, AppKey: 7, TargetType: "ACCOUNT", Total: len(values), Unique: len(values), Chunks: 1,
		Queue: "q", CreatedAt: time.Now(), Message: []byte(`{"body":"b"}`), Path: store.PathDirect}
	if err := s.StageMany(ctx, []store.Staged{{Job: j, Chunks: [][]string{values}, TTL: time.Hour}}, time.Hour); err != nil {
		t.Fatal(err)
	}
}

func TestStore_BeginDirect(t *testing.T) {
	t.Run("marks the call begun and moves the job to running", func(t *testing.T) {
		s := setup(t)
		stagedDirect(t, s, "d1", "a", "b")
		now := time.Now()
		r, err := s.BeginDirect(ctx, "d1", now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Begun || r.Ambiguous != 0 || r.Done != "" || !slices.Equal(r.Values, []string{"a", "b"}) {
			t.Errorf("run = %+v, want begun with the values, no ambiguous attempt", r)
		}
		if !r.Job.Direct() || r.Job.Status != store.StatusRunning || r.Job.DirectInflight.UnixMilli() != now.UnixMilli() {
			t.Errorf("job = %+v, want direct, running, in flight since now", r.Job)
		}
	})
	t.Run("a mark left by an earlier run is an ambiguous attempt", func(t *testing.T) {
		s := setup(t)
		stagedDirect(t, s, "d1", "a")
		for want := range 3 {
			r, err := s.BeginDirect(ctx, "d1", time.Now(), time.Hour)
			if err != nil || r.Ambiguous != want || !r.Begun {
				t.Fatalf("run %d = %+v, %v; want %d ambiguous attempts", want, r, err, want)
			}
		}
	})
	t.Run("an aborted call is not", func(t *testing.T) {
		s := setup(t)
		stagedDirect(t, s, "d1", "a")
		if _, err := s.BeginDirect(ctx, "d1", time.Now(), time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := s.AbortDirect(ctx, "d1"); err != nil {
			t.Fatal(err)
		}
		r, err := s.BeginDirect(ctx, "d1", time.Now(), time.Hour)
		if err != nil || r.Ambiguous != 0 {
			t.Errorf("run after an abort = %+v, %v; want no ambiguous attempt", r, err)
		}
	})
	t.Run("cancelled, done or ended: nothing begun", func(t *testing.T) {
		s := setup(t)
		stagedDirect(t, s, "c", "a")
		if _, err := s.Cancel(ctx, "c"); err != nil {
			t.Fatal(err)
		}
		stagedDirect(t, s, "d", "a")
		if _, err := s.FinishDirect(ctx, "d", store.DirectOutcome{Outcome: store.Outcome{Pushed: 1}, MessageID: "9", At: time.Now()},
			time.Now(), time.Hour); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"c", "d"} {
			r, err := s.BeginDirect(ctx, id, time.Now(), time.Hour)
			if err != nil || r.Begun || !r.Job.DirectInflight.IsZero() {
				t.Errorf("BeginDirect(%s) = %+v, %v; want nothing begun", id, r, err)
			}
		}
	})
	t.Run("unknown job", func(t *testing.T) {
		s := setup(t)
		if _, err := s.BeginDirect(ctx, "nope", time.Now(), time.Hour); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("error = %v, want ErrNotFound", err)
		}
	})
}

func TestStore_FinishDirect(t *testing.T) {
	tests := []struct {
		name       string
		outcome    store.Outcome
		ambiguous  bool
		wantStatus string
		wantDups   int
	}{
		{name: "pushed", outcome: store.Outcome{Pushed: 2}, wantStatus: store.StatusCompleted},
		{name: "pushed after an ambiguous attempt", outcome: store.Outcome{Pushed: 2}, ambiguous: true,
			wantStatus: store.StatusCompleted, wantDups: 2},
		{name: "failed", outcome: store.Outcome{Failed: 2, Code: "InvalidParameter"}, wantStatus: store.StatusFailed},
		{name: "cancelled", outcome: store.Outcome{Cancelled: 2}, wantStatus: store.StatusCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := setup(t)
			stagedDirect(t, s, "d1", "a", "b")
			begins := 1
			if tt.ambiguous {
				begins = 2
			}
			for range begins {
				if _, err := s.BeginDirect(ctx, "d1", time.Now(), time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			o := store.DirectOutcome{Outcome: tt.outcome, At: time.Now()}
			if tt.outcome.Pushed > 0 {
				o.MessageID = "500131"
			}
			got, err := s.FinishDirect(ctx, "d1", o, time.Now(), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Counted || got.Status != tt.wantStatus || got.PossibleDuplicates != tt.wantDups || got.Outcome.Pushed != tt.outcome.Pushed {
				t.Errorf("FinishDirect = %+v, want counted, %s, %d duplicates", got, tt.wantStatus, tt.wantDups)
			}
			again, err := s.FinishDirect(ctx, "d1", o, time.Now(), time.Minute)
			if err != nil || again.Counted || again.Status != tt.wantStatus {
				t.Errorf("second FinishDirect = %+v, %v; want nothing counted, the same status", again, err)
			}
			st, err := s.ReadState(ctx, "d1")
			if err != nil {
				t.Fatal(err)
			}
			p := st.Progress
			if p.Pushed != tt.outcome.Pushed || p.Failed != tt.outcome.Failed || p.Cancelled != tt.outcome.Cancelled ||
				p.PossibleDuplicates != tt.wantDups || p.ChunksDone != 1 || !st.Job.DirectInflight.IsZero() || st.Job.FinishedAt.IsZero() {
				t.Errorf("state = %+v %+v, want the outcome counted once, nothing in flight, finished", st.Job, p)
			}
			if o.MessageID != "" && !slices.Equal(st.MessageIDs, []string{o.MessageID}) {
				t.Errorf("MessageIDs = %v, want [%s]", st.MessageIDs, o.MessageID)
			}
			for _, k := range s.Keys().JobKeys("d1") {
				if ttl := s.Redis().PTTL(ctx, k).Val(); ttl > time.Minute {
					t.Errorf("%s TTL = %s, want at most the finish TTL", k, ttl)
				}
			}
			if tt.outcome.Failed > 0 {
				f, err := s.FailedChunks(ctx, "d1")
				if err != nil || len(f) != 1 || f[0].Code != tt.outcome.Code {
					t.Errorf("FailedChunks = %+v, %v; want chunk 0 with the code", f, err)
				}
			}
		})
	}
}
