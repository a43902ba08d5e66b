package store_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/internal/store"
)

var ctx = context.Background()

func setup(t *testing.T) *store.Store {
	t.Helper()
	rdb, prefix := redistest.Namespace(t)
	return store.New(rdb, prefix)
}

// staged stages and commits a job of n chunks of 2 values each.
func staged(t *testing.T, s *store.Store, id string, chunks int, mid string) *store.Job {
	t.Helper()
	if ok, err := s.Claim(ctx, id, time.Now(), time.Hour); err != nil || !ok {
		t.Fatalf("Claim = %v, %v", ok, err)
	}
	w := s.NewChunkWriter(id, time.Hour)
	for i := range chunks {
		if err := w.Add(ctx, []string{"a" + strconv.Itoa(i), "b" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	j := &store.Job{ID: id, AppKey: 7, TargetType: "DEVICE", Total: 2 * chunks, Unique: 2 * chunks, Chunks: chunks,
		Queue: "q", CreatedAt: time.Now()}
	if mid != "" {
		j.MessageID, j.MessageCreatedAt = mid, time.Now()
	} else {
		j.Message = []byte(`{"body":"b"}`)
	}
	if err := s.Commit(ctx, j, time.Hour, time.Hour); err != nil {
		t.Fatal(err)
	}
	return j
}

func TestStore_Claim(t *testing.T) {
	s := setup(t)
	ok, err := s.Claim(ctx, "j1", time.Now(), time.Minute)
	if err != nil || !ok {
		t.Fatalf("first Claim = %v, %v; want true", ok, err)
	}
	if ok, _ := s.Claim(ctx, "j1", time.Now(), time.Minute); ok {
		t.Error("second Claim of the same ID = true, want false")
	}
	j, err := s.ReadJob(ctx, "j1")
	if err != nil || j.Status != store.StatusStaging {
		t.Errorf("ReadJob = %+v, %v; want status staging", j, err)
	}
	if ttl := s.Redis().PTTL(ctx, s.Keys().Meta("j1")).Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("meta TTL = %s, want within the staging TTL", ttl)
	}
}

func TestStore_Commit(t *testing.T) {
	s := setup(t)
	j := staged(t, s, "j1", 3, "")
	st, err := s.ReadState(ctx, "j1")
	if err != nil {
		t.Fatal(err)
	}
	if st.Job.Status != store.StatusQueued || st.Job.Chunks != 3 || string(st.Job.Message) != `{"body":"b"}` ||
		st.Job.CreatedAt.UnixMilli() != j.CreatedAt.UnixMilli() {
		t.Errorf("state = %+v, want the committed job, queued", st.Job)
	}
	got, err := s.Recent(ctx, "+inf", 0, 10)
	if err != nil || len(got) != 1 || got[0].Member != "j1" {
		t.Errorf("Recent = %v, %v; want only j1", got, err)
	}
	if _, err := s.ReadState(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ReadState(nope) = %v, want ErrNotFound", err)
	}
}

func TestStore_Cancel(t *testing.T) {
	s := setup(t)
	staged(t, s, "j1", 1, "")
	status, err := s.Cancel(ctx, "j1")
	if err != nil || status != store.StatusQueued {
		t.Fatalf("Cancel = %q, %v", status, err)
	}
	if c, _ := s.Cancelled(ctx, "j1"); !c {
		t.Error("cancel flag not set")
	}
	if _, err := s.Cancel(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Cancel(nope) = %v, want ErrNotFound", err)
	}
	staged(t, s, "j2", 1, "")
	if _, err := s.Finalize(ctx, "j2", store.StatusCompleted, time.Now(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if status, _ := s.Cancel(ctx, "j2"); status != store.StatusCompleted {
		t.Errorf("Cancel of a completed job = %q", status)
	}
	if c, _ := s.Cancelled(ctx, "j2"); c {
		t.Error("a completed job got the cancel flag")
	}
}

func TestStore_LoadRange(t *testing.T) {
	s := setup(t)
	staged(t, s, "j1", 4, "")
	if _, err := s.FinishChunks(ctx, "j1", []store.ChunkOutcome{{Index: 1, Outcome: store.Outcome{Pushed: 2}}}, store.NoNext, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EndAttempt(ctx, "j1", 2, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetMessage(ctx, "j1", 0, "500", time.UnixMilli(1000), time.Hour); err != nil {
		t.Fatal(err)
	}
	r, err := s.LoadRange(ctx, "j1", 0, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	mid, created, epoch := store.ParseMessageValue(r.Message)
	if mid != "500" || created.UnixMilli() != 1000 || epoch != r.Epoch || r.Job.ID != "j1" {
		t.Errorf("message = %q (epoch %q), job %+v; want MessageId 500 of 1000 ms in the current epoch", r.Message, r.Epoch, r.Job)
	}
	if redistest.Real() && r.Epoch == "" {
		t.Error("no epoch: the server's run ID was not read")
	}
	want := []store.RangeChunk{{Index: 0, Packed: "a0\nb0", Len: 2}, {Index: 1, Done: true},
		{Index: 2, Packed: "a2\nb2", Len: 2, Ambiguous: 1}}
	for i, c := range r.Chunks {
		if c != want[i] {
			t.Errorf("chunk %d = %+v, want %+v", i, c, want[i])
		}
	}
	if v := r.Chunks[2].Values(); !slices.Equal(v, []string{"a2", "b2"}) {
		t.Errorf("chunk 2's values = %q, want [a2 b2]", v)
	}
	if v := r.Chunks[1].Values(); v != nil {
		t.Errorf("done chunk's values = %q, want none", v)
	}
	if _, err := s.LoadRange(ctx, "nope", 0, 1, -1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LoadRange(nope) = %v, want ErrNotFound", err)
	}
}

func TestStore_FinishChunks(t *testing.T) {
	s := setup(t)
	staged(t, s, "j1", 3, "")
	if _, err := s.EndAttempt(ctx, "j1", 0, true); err != nil {
		t.Fatal(err)
	}
	if n, err := s.EndAttempt(ctx, "j1", 0, true); err != nil || n != 2 { // two ambiguous attempts: still one duplicate per target
		t.Fatalf("EndAttempt = %d, %v; want 2 ambiguous attempts", n, err)
	}
	c, err := s.FinishChunks(ctx, "j1", []store.ChunkOutcome{
		{Index: 0, Outcome: store.Outcome{Pushed: 2}},
		{Index: 1, Outcome: store.Outcome{Pushed: 1, Failed: 1, Code: "X"}},
	}, store.NoNext, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if c.Chunks != 2 || c.Pushed != 3 || c.Failed != 1 || c.PossibleDuplicates != 2 || c.Last || c.Cancel {
		t.Errorf("counted %+v; want 2 chunks, 3 pushed, 1 failed, 2 duplicates, not last", c)
	}
	again, _ := s.FinishChunks(ctx, "j1", []store.ChunkOutcome{{Index: 0, Outcome: store.Outcome{Pushed: 2}}}, store.NoNext, time.Hour)
	if again.Chunks != 0 || again.Pushed != 0 {
		t.Errorf("a chunk recorded twice was counted again: %+v", again)
	}
	if _, err := s.Cancel(ctx, "j1"); err != nil {
		t.Fatal(err)
	}
	last, _ := s.FinishChunks(ctx, "j1", []store.ChunkOutcome{{Index: 2, Outcome: store.Outcome{Cancelled: 2}}}, store.NoNext, time.Hour)
	if !last.Last || !last.Cancel {
		t.Errorf("final chunk = %+v, want last and the cancel flag", last)
	}
	st, _ := s.ReadState(ctx, "j1")
	p := st.Progress
	if st.Job.Status != store.StatusFinishing || p.Pushed != 3 || p.Failed != 1 || p.FailedByCode["X"] != 1 ||
		p.Cancelled != 2 || p.PossibleDuplicates != 2 || p.ChunksDone != 3 {
		t.Errorf("state = %s %+v", st.Job.Status, p)
	}
	failed, err := s.FailedChunks(ctx, "j1")
	if err != nil || len(failed) != 1 || failed[0] != (store.ChunkFailure{Index: 1, Pushed: 1, Code: "X"}) {
		t.Errorf("FailedChunks = %+v, %v", failed, err)
	}
	vals, err := s.ChunkValues(ctx, "j1", []int{1})
	if err != nil || len(vals[0]) != 2 || vals[0][1] != "b1" {
		t.Errorf("ChunkValues = %v, %v", vals, err)
	}
}

func TestStore_Reserve(t *testing.T) {
	now := time.Now()
	expires := now.Add(time.Hour)
	targets := store.Limits{Limit: 10, Unit: store.UnitTargets}
	att := func(refs ...string) []store.Attempt {
		out := make([]store.Attempt, len(refs))
		for i, r := range refs {
			out[i] = store.Attempt{Ref: r, Values: 4}
		}
		return out
	}
	tests := []struct {
		name    string
		limits  store.Limits
		expires time.Time
		partial bool
		want    []int
		reason  string
	}{
		{"all fit", store.Limits{Limit: 12, Unit: store.UnitTargets}, expires, false, []int{4, 4, 4}, ""},
		{"over the limit", targets, expires, false, []int{4, 4, 0}, store.ReasonOverLimit},
		{"partial grant", targets, expires, true, []int{4, 4, 2}, store.ReasonOverLimit},
		{"calls unit", store.Limits{Limit: 2, Unit: store.UnitCalls}, expires, false, []int{4, 4, 0}, store.ReasonOverLimit},
		{"within the margin of expiry", targets, now.Add(time.Minute), false, []int{0, 0, 0}, store.ReasonExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := setup(t)
			got, reason, err := s.Reserve(ctx, 7, "m1", tt.partial, "", tt.limits, tt.expires, now, 2*time.Minute, att("a", "b", "c"))
			if err != nil {
				t.Fatal(err)
			}
			if reason != tt.reason || len(got) != 3 || got[0] != tt.want[0] || got[1] != tt.want[1] || got[2] != tt.want[2] {
				t.Errorf("Reserve = %v %q, want %v %q", got, reason, tt.want, tt.reason)
			}
		})
	}
	t.Run("a MessageId recorded in another epoch gets nothing", func(t *testing.T) {
		if !redistest.Real() {
			t.Skip("the in-process fallback has no run ID")
		}
		s := setup(t)
		info, err := redistest.Client(t).Info(ctx, "server").Result()
		_, runID, _ := strings.Cut(info, "run_id:")
		runID, _, _ = strings.Cut(runID, "\r\n")
		if err != nil || runID == "" {
			t.Fatalf("reading the run ID: %q, %v", runID, err)
		}
		got, reason, err := s.Reserve(ctx, 7, "m1", false, "0123abcd", targets, expires, now, 0, att("a", "b"))
		if err != nil || reason != store.ReasonNewEpoch || got[0] != 0 || got[1] != 0 {
			t.Errorf("Reserve in another epoch = %v %q, %v; want nothing granted, %q", got, reason, err, store.ReasonNewEpoch)
		}
		if used, _ := s.QuotaUsed(ctx, 7, "m1"); used != 0 {
			t.Errorf("used %d after a refusal, want 0", used)
		}
		got, reason, err = s.Reserve(ctx, 7, "m1", false, runID, targets, expires, now, 0, att("a"))
		if err != nil || reason != "" || got[0] != 4 {
			t.Errorf("Reserve in the current epoch = %v %q, %v; want 4 granted", got, reason, err)
		}
		// The hash's first reservation was in another epoch: a successor
		// of the server that granted it (its record's epoch unknown).
		if err := redistest.Client(t).HSet(ctx, s.Keys().Quota(7, "m1"), "epoch", "0123abcd").Err(); err != nil {
			t.Fatal(err)
		}
		got, reason, err = s.Reserve(ctx, 7, "m1", false, "", targets, expires, now, 0, att("a", "b"))
		if err != nil || reason != store.ReasonNewEpoch || got[0] != 0 || got[1] != 0 {
			t.Errorf("Reserve on a hash of another epoch = %v %q, %v; want nothing granted, %q", got, reason, err, store.ReasonNewEpoch)
		}
		got, reason, err = s.Reserve(ctx, 7, "m1", true, "", targets, expires, now, 0, att("b"))
		if err != nil || reason != "" || got[0] != 4 {
			t.Errorf("Reserve without epoch checks (message-id mode) = %v %q, %v; want 4 granted", got, reason, err)
		}
	})
	t.Run("a held reservation is granted again, a new attempt reserves anew", func(t *testing.T) {
		s := setup(t)
		s.Reserve(ctx, 7, "m1", false, "", targets, expires, now, 0, att("a"))
		got, _, _ := s.Reserve(ctx, 7, "m1", false, "", targets, expires, now, 0, att("a", store.ReservationRef("j", 0, 1)))
		if got[0] != 4 || got[1] != 4 {
			t.Errorf("grants %v, want [4 4]", got)
		}
		if used, _ := s.QuotaUsed(ctx, 7, "m1"); used != 8 {
			t.Errorf("used %d, want 8: the held one counted once, the new attempt once", used)
		}
		n, err := s.Release(ctx, 7, "m1", store.UnitTargets, "a", "nope")
		if err != nil || n != 4 {
			t.Errorf("Release = %d, %v; want 4", n, err)
		}
		if used, _ := s.QuotaUsed(ctx, 7, "m1"); used != 4 {
			t.Errorf("used %d after the release, want 4", used)
		}
	})
}

func TestStore_Messages(t *testing.T) {
	s := setup(t)
	staged(t, s, "j1", 1, "")
	ok, err := s.LockMessage(ctx, "j1", 0, "t1", time.Minute)
	if err != nil || !ok {
		t.Fatalf("LockMessage = %v, %v", ok, err)
	}
	if ok, _ := s.LockMessage(ctx, "j1", 0, "t2", time.Minute); ok {
		t.Error("a second holder took the lock")
	}
	s.UnlockMessage(ctx, "j1", 0, "t2") // not the holder: nothing
	if ok, _ := s.LockMessage(ctx, "j1", 0, "t3", time.Minute); ok {
		t.Error("an unlock by another token freed the lock")
	}
	if err := s.UnlockMessage(ctx, "j1", 0, "t1"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.LockMessage(ctx, "j1", 0, "t4", time.Minute); !ok {
		t.Error("the holder's unlock did not free the lock")
	}
	v, err := s.SetMessage(ctx, "j1", 0, "500", time.UnixMilli(1000), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ReadMessage(ctx, "j1", 0); got != v {
		t.Errorf("ReadMessage = %q, want %q", got, v)
	}
	if dropped, _ := s.DropMessage(ctx, "j1", 0, "499|1000"); dropped {
		t.Error("DropMessage dropped a value it was not given")
	}
	if dropped, _ := s.DropMessage(ctx, "j1", 0, v); !dropped {
		t.Error("DropMessage kept the refused value")
	}
	s.SetMessage(ctx, "j1", 0, "501", time.UnixMilli(2000), time.Hour)
	if err := s.CloseMessage(ctx, "j1", "500", store.ClosedCompleted, time.Hour); err != nil {
		t.Fatal(err)
	}
	open, err := s.OpenMessageIDs(ctx, "j1")
	if err != nil || len(open) != 1 || open[0] != "501" {
		t.Errorf("OpenMessageIDs = %v, %v; want [501]", open, err)
	}
	st, _ := s.ReadState(ctx, "j1")
	if len(st.MessageIDs) != 2 || st.Closed["500"] != store.ClosedCompleted {
		t.Errorf("state MessageIds %v closed %v", st.MessageIDs, st.Closed)
	}
}

func TestStore_Finalize(t *testing.T) {
	s := setup(t)
	staged(t, s, "j1", 1, "")
	first, err := s.StartFinish(ctx, "j1", time.UnixMilli(5000))
	if err != nil || first.UnixMilli() != 5000 {
		t.Fatalf("StartFinish = %v, %v", first, err)
	}
	if again, _ := s.StartFinish(ctx, "j1", time.UnixMilli(9000)); again.UnixMilli() != 5000 {
		t.Errorf("a second StartFinish moved the start to %v", again)
	}
	got, err := s.Finalize(ctx, "j1", store.StatusFailed, time.Now(), time.Minute)
	if err != nil || got != store.StatusFailed {
		t.Fatalf("Finalize = %q, %v", got, err)
	}
	if got, _ := s.Finalize(ctx, "j1", store.StatusCompleted, time.Now(), time.Minute); got != store.StatusFailed {
		t.Errorf("a second Finalize changed the status to %q", got)
	}
	if ttl := s.Redis().PTTL(ctx, s.Keys().Chunks("j1")).Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("chunks TTL %s, want the final TTL", ttl)
	}
}

func TestStore_Throttled(t *testing.T) {
	s := setup(t)
	b := store.Backoff{Step: 0.5, Min: 0.2, Cooldown: time.Second, Recovery: 10 * time.Second}
	now := time.Now()
	f, err := s.Throttled(ctx, "acct", "Push", now, b)
	if err != nil || f != 0.5 {
		t.Fatalf("first cut = %v, %v; want 0.5", f, err)
	}
	if f, _ := s.Throttled(ctx, "acct", "Push", now.Add(100*time.Millisecond), b); f < 0.5 || f > 0.51 {
		t.Errorf("within the cooldown = %v, want the factor in force (about 0.5)", f)
	}
	if f, _ := s.Throttled(ctx, "acct", "Push", now.Add(2*time.Second), b); f < 0.2 || f > 0.3 {
		t.Errorf("after the cooldown = %v, want about 0.6*0.5", f)
	}
	cut, at, err := s.BackoffCut(ctx, "acct", "Push")
	if err != nil || cut < 0.2 || at.UnixMilli() != now.Add(2*time.Second).UnixMilli() {
		t.Errorf("BackoffCut = %v at %v, %v", cut, at, err)
	}
	if cut, _, _ := s.BackoffCut(ctx, "acct", "Other"); cut != 1 {
		t.Errorf("no cut: factor %v, want 1", cut)
	}
}

func TestStore_Breaker(t *testing.T) {
	s := setup(t)
	now := time.UnixMilli(1_000_000)
	if d, _, err := s.AdmitBreaker(ctx, "acct", now, time.Second); err != nil || d != store.BreakerClosed {
		t.Fatalf("AdmitBreaker before any trip = %q, %v; want closed", d, err)
	}
	until, err := s.TripBreaker(ctx, "acct", now, 2*time.Second, 8*time.Second)
	if err != nil || !until.Equal(now.Add(2*time.Second)) {
		t.Fatalf("TripBreaker = %v, %v; want open for 2s", until, err)
	}
	if again, _ := s.TripBreaker(ctx, "acct", now.Add(time.Second), 2*time.Second, 8*time.Second); !again.Equal(until) {
		t.Errorf("a trip while open moved the end to %v", again)
	}
	if d, wait, _ := s.AdmitBreaker(ctx, "acct", now.Add(500*time.Millisecond), time.Second); d != store.BreakerWait || wait != 1500*time.Millisecond {
		t.Errorf("while open: %q for %s, want wait 1.5s", d, wait)
	}
	later := now.Add(3 * time.Second)
	if d, _, _ := s.AdmitBreaker(ctx, "acct", later, time.Second); d != store.BreakerProbe {
		t.Errorf("after the interval: %q, want the probe", d)
	}
	if d, wait, _ := s.AdmitBreaker(ctx, "acct", later, time.Second); d != store.BreakerWait || wait != time.Second {
		t.Errorf("while the probe runs: %q for %s, want wait 1s", d, wait)
	}
	// The probe failed: the breaker opens again for twice as long.
	if reopened, _ := s.TripBreaker(ctx, "acct", later, 2*time.Second, 8*time.Second); !reopened.Equal(later.Add(4 * time.Second)) {
		t.Errorf("after a failed probe, open until %v, want %v", reopened, later.Add(4*time.Second))
	}
	if got, _ := s.BreakerOpenUntil(ctx, "acct"); !got.Equal(later.Add(4 * time.Second)) {
		t.Errorf("BreakerOpenUntil = %v", got)
	}
	if err := s.CloseBreaker(ctx, "acct"); err != nil {
		t.Fatal(err)
	}
	if d, _, _ := s.AdmitBreaker(ctx, "acct", later, time.Second); d != store.BreakerClosed {
		t.Errorf("after closing: %q, want closed", d)
	}
}

// TestStore_InFlightBusy: a chunk's in-flight marker belongs to the run
// that set it: another run's marking, alone or with an outcome, is refused
// and writes nothing, while the holder may mark it again.
func TestStore_InFlightBusy(t *testing.T) {
	s := setup(t)
	staged(t, s, "j1", 4, "")
	if _, err := s.MarkInFlight(ctx, "j1", 1, 0, "run-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkInFlight(ctx, "j1", 1, 0, "run-b"); !errors.Is(err, store.ErrChunkBusy) {
		t.Errorf("MarkInFlight by a second run = %v, want ErrChunkBusy", err)
	}
	if _, err := s.MarkInFlight(ctx, "j1", 1, 0, "run-a"); err != nil {
		t.Errorf("MarkInFlight by the holder again = %v, want nil", err)
	}
	c, err := s.FinishChunks(ctx, "j1", []store.ChunkOutcome{{Index: 0, Outcome: store.Outcome{Pushed: 2}}}, store.Next{Index: 1, Token: "run-b"}, time.Hour)
	if err != nil || !c.NextBusy || c.Chunks != 1 {
		t.Errorf("FinishChunks marking another run's chunk = %+v, %v; want chunk 0 counted and NextBusy", c, err)
	}
	c, err = s.FinishChunks(ctx, "j1", []store.ChunkOutcome{{Index: 2, Outcome: store.Outcome{Pushed: 2}}}, store.Next{Index: 3, Token: "run-b"}, time.Hour)
	if err != nil || c.NextBusy {
		t.Errorf("FinishChunks marking a free chunk = %+v, %v; want it marked", c, err)
	}
	if _, err := s.MarkInFlight(ctx, "j1", 3, 0, "run-a"); !errors.Is(err, store.ErrChunkBusy) {
		t.Errorf("MarkInFlight of a chunk FinishChunks marked for run-b = %v, want ErrChunkBusy", err)
	}
	// A run that loaded chunk 0 before run-b recorded it finds it done.
	if _, err := s.MarkInFlight(ctx, "j1", 0, 0, "run-c"); !errors.Is(err, store.ErrChunkBusy) {
		t.Errorf("MarkInFlight of a recorded chunk = %v, want ErrChunkBusy", err)
	}
	if c, err := s.FinishChunks(ctx, "j1", nil, store.Next{Index: 2, Token: "run-c"}, time.Hour); err != nil || !c.NextBusy {
		t.Errorf("FinishChunks marking a recorded chunk = %+v, %v; want NextBusy", c, err)
	}
}

// TestStore_InFlight: a chunk marked in flight whose end is never recorded
// is found so by the next load, and becomes an ambiguous attempt; a
// recorded end, or a cleared marker, leaves nothing.
func TestStore_InFlight(t *testing.T) {
	s := setup(t)
	staged(t, s, "j1", 4, "")
	if _, err := s.Cancel(ctx, "j1"); err != nil {
		t.Fatal(err)
	}
	cancelled, err := s.MarkInFlight(ctx, "j1", 0, 0, "t")
	if err != nil || !cancelled {
		t.Fatalf("MarkInFlight = %v, %v; want the cancel flag read", cancelled, err)
	}
	// Chunk 0's end is recorded, which marks chunk 1's call in flight.
	if _, err := s.FinishChunks(ctx, "j1", []store.ChunkOutcome{{Index: 0, Outcome: store.Outcome{Pushed: 2}}}, store.Next{Index: 1, Token: "t"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	s.MarkInFlight(ctx, "j1", 2, 0, "t")
	if err := s.ClearInFlight(ctx, "j1", 2); err != nil { // its call did not go out
		t.Fatal(err)
	}
	s.MarkInFlight(ctx, "j1", 3, 0, "t")
	if n, err := s.EndAttempt(ctx, "j1", 3, false); err != nil || n != 0 { // refused: not delivered
		t.Fatalf("EndAttempt = %d, %v; want 0 ambiguous attempts", n, err)
	}
	r, err := s.LoadRange(ctx, "j1", 0, 4, -1)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{false, true, false, false} {
		if r.Chunks[i].InFlight != want {
			t.Errorf("chunk %d in flight = %v, want %v", i, r.Chunks[i].InFlight, want)
		}
	}
	got, err := s.PromoteInFlight(ctx, "j1", 1)
	if err != nil || got[1] != 1 {
		t.Fatalf("PromoteInFlight = %v, %v; want chunk 1 with one ambiguous attempt", got, err)
	}
	r, _ = s.LoadRange(ctx, "j1", 1, 1, -1)
	if r.Chunks[0].InFlight || r.Chunks[0].Ambiguous != 1 {
		t.Errorf("after promotion: %+v, want an ambiguous attempt and no marker", r.Chunks[0])
	}
}

// FinishChunks renews the job keys' TTL once a minute of it has passed,
// not on every chunk: a write in a script costs Redis about three reads.
func TestStore_FinishChunksRenewsTTL(t *testing.T) {
	rdb, prefix := redistest.Namespace(t)
	s := store.New(rdb, prefix)
	staged(t, s, "j1", 3, "")
	k := s.Keys()
	jobKeys := []string{k.Meta("j1"), k.Done("j1"), k.Series("j1")}
	pttl := func(key string) time.Duration { return rdb.PTTL(ctx, key).Val() }
	record := func(i int) {
		t.Helper()
		if _, err := s.FinishChunks(ctx, "j1", []store.ChunkOutcome{{Index: i, Outcome: store.Outcome{Pushed: 2}}},
			store.NoNext, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	record(0)
	if d := pttl(k.Series("j1")); d < 59*time.Minute {
		t.Errorf("a new series key's TTL = %s, want the job TTL, an hour", d)
	}
	for _, key := range jobKeys {
		rdb.PExpire(ctx, key, 59*time.Minute+30*time.Second)
	}
	record(1) // 30 s of the TTL gone: not renewed
	for _, key := range jobKeys {
		if d := pttl(key); d > 59*time.Minute+30*time.Second {
			t.Errorf("%s's TTL = %s: renewed within a minute of the last renewal", key, d)
		}
	}
	for _, key := range jobKeys {
		rdb.PExpire(ctx, key, 50*time.Minute)
	}
	record(2) // ten minutes gone: renewed, the series with the job's keys
	for _, key := range jobKeys {
		if d := pttl(key); d < 59*time.Minute {
			t.Errorf("%s's TTL = %s after ten minutes of it passed, want it renewed to an hour", key, d)
		}
	}
}
