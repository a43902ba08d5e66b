package store_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/store"
)

func TestStore_ClaimMany(t *testing.T) {
	s := setup(t)
	if ok, err := s.Claim(ctx, "taken", time.Now(), time.Hour); err != nil || !ok {
		t.Fatal(ok, err)
	}
	got, err := s.ClaimMany(ctx, []string{"a", "taken", "b", "a"}, time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, true, false}; !slices.Equal(got, want) {
		t.Errorf("ClaimMany = %v, want %v", got, want)
	}
	if ttl := s.Redis().PTTL(ctx, s.Keys().Meta("b")).Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("meta TTL = %s, want within the staging TTL", ttl)
	}
}

func TestStore_StageMany(t *testing.T) {
	s := setup(t)
	var batch []store.Staged
	for i := range 3 {
		id := "j" + strconv.Itoa(i)
		if ok, err := s.Claim(ctx, id, time.Now(), time.Hour); err != nil || !ok {
			t.Fatal(ok, err)
		}
		j := &store.Job{ID: id, AppKey: 7, TargetType: "DEVICE", Total: 3, Unique: 3, Chunks: 1, Queue: "q",
			CreatedAt: time.Now().Add(time.Duration(i) * time.Millisecond), Message: []byte(`{"body":"b"}`)}
		if i == 0 {
			j.Path = store.PathDirect
		}
		batch = append(batch, store.Staged{Job: j, Chunks: [][]string{{"x", "y", id}}, TTL: 2 * time.Hour})
	}
	if err := s.StageMany(ctx, batch, time.Hour); err != nil {
		t.Fatal(err)
	}
	states, err := s.ReadStates(ctx, []string{"j0", "j1", "j2"})
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range states {
		wantPath := store.PathContinuous
		if i == 0 {
			wantPath = store.PathDirect
		}
		if st == nil || st.Job.Status != store.StatusQueued || st.Job.Path != wantPath {
			t.Errorf("job %d = %+v, want queued on the %s path", i, st, wantPath)
		}
	}
	vals, err := s.ChunkValues(ctx, "j2", []int{0})
	if err != nil || !slices.Equal(vals[0], []string{"x", "y", "j2"}) {
		t.Errorf("ChunkValues = %v, %v", vals, err)
	}
	recent, err := s.Recent(ctx, "+inf", 0, 10)
	if err != nil || len(recent) != 3 || recent[0].Member != "j2" {
		t.Errorf("Recent = %v, %v; want the three jobs, newest first", recent, err)
	}
	for _, k := range []string{s.Keys().Meta("j1"), s.Keys().Chunks("j1")} {
		if ttl := s.Redis().PTTL(ctx, k).Val(); ttl <= time.Hour || ttl > 2*time.Hour {
			t.Errorf("%s TTL = %s, want the job's TTL", k, ttl)
		}
	}
}
