package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/store"
)

func counts(vs ...int64) store.Counts {
	var c store.Counts
	copy(c[:], vs)
	return c
}

func TestStore_MergeMessageStats(t *testing.T) {
	tests := []struct {
		name       string
		answers    []store.Counts
		wantGrowth store.Counts // of the last answer
	}{
		{"first answer", []store.Counts{counts(10, 9, 8)}, counts(10, 9, 8)},
		{"grown", []store.Counts{counts(10, 9, 8), counts(12, 9, 10)}, counts(2, 0, 2)},
		{"a stale lower answer adds nothing", []store.Counts{counts(10, 9, 8), counts(5, 5, 5)}, counts()},
		{"after a stale one, only what passes the highest", []store.Counts{counts(10, 9, 8), counts(5, 5, 5), counts(11, 9, 8)}, counts(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := setup(t)
			var got store.Counts
			for _, a := range tt.answers {
				var err error
				if got, err = s.MergeMessageStats(ctx, 7, "500", a, time.Now(), time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			if got != tt.wantGrowth {
				t.Errorf("growth = %v, want %v", got, tt.wantGrowth)
			}
			if ttl := s.Redis().PTTL(ctx, s.Keys().MessageStats(7, "500")).Val(); ttl <= 0 || ttl > time.Hour {
				t.Errorf("TTL = %s, want within an hour", ttl)
			}
		})
	}
	t.Run("concurrent answers count each growth once", func(t *testing.T) {
		s := setup(t)
		var mu sync.Mutex
		var total int64
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g, err := s.MergeMessageStats(ctx, 7, "500", counts(int64(i)*10), time.Now(), time.Hour)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += g[0]
				mu.Unlock()
			}()
		}
		wg.Wait()
		if total != 190 {
			t.Errorf("growths add up to %d, want the highest answer, 190", total)
		}
	})
}

func TestStore_RecordDelivery(t *testing.T) {
	s := setup(t)
	staged(t, s, "j1", 1, "")
	at := time.UnixMilli(1_700_000_000_000)
	record := func(m store.MessageStats) {
		t.Helper()
		ok, err := s.RecordDelivery(ctx, "j1", m)
		if err != nil || !ok {
			t.Fatalf("RecordDelivery(%+v) = %v, %v", m, ok, err)
		}
	}
	record(store.MessageStats{MessageID: "500", Counts: counts(10, 10, 9, 3), At: at})
	record(store.MessageStats{MessageID: "501", Counts: counts(5, 5, 4, 1), At: at})
	record(store.MessageStats{MessageID: "500", Counts: counts(10, 10, 9, 4), At: at.Add(time.Minute)})
	record(store.MessageStats{MessageID: "501", Counts: counts(5, 5, 2, 0), At: at.Add(-time.Minute), Code: "Late"}) // an older answer, lower

	d, mids, err := s.ReadDelivery(ctx, "j1")
	if err != nil || d == nil {
		t.Fatalf("ReadDelivery = %+v, %v", d, err)
	}
	if want := counts(15, 15, 13, 5); d.Totals != want {
		t.Errorf("totals = %v, want %v: the highest figure of each MessageId, added up", d.Totals, want)
	}
	byID := map[string]store.MessageStats{}
	for _, m := range mids {
		byID[m.MessageID] = m
	}
	if m := byID["501"]; m.Counts != counts(5, 5, 4, 1) || !m.At.Equal(at) || m.Code != "" {
		t.Errorf("501 = %+v; an older answer changed its figures, time or code", m)
	}
	if ttl := s.Redis().PTTL(ctx, s.Keys().Delivery("j1")).Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("delivery TTL = %s, want the job's", ttl)
	}

	t.Run("a pass", func(t *testing.T) {
		passes, refreshed, err := s.CompletePass(ctx, "j1", []string{"500", "501"})
		if err != nil || passes != 1 || !refreshed.Equal(at) {
			t.Errorf("CompletePass = %d, %v, %v; want 1 pass as of the oldest record %v", passes, refreshed, err, at)
		}
		record(store.MessageStats{MessageID: "501", At: at.Add(2 * time.Minute), Code: "MessageNotFound"})
		passes, refreshed, _ = s.CompletePass(ctx, "j1", []string{"500", "501"})
		d, _, _ := s.ReadDelivery(ctx, "j1")
		if passes != 2 || !refreshed.Equal(at.Add(time.Minute)) || d.Error != "MessageNotFound" || d.Totals != counts(15, 15, 13, 5) {
			t.Errorf("second pass = %d, %v, delivery %+v; want 2 passes as of +1m, the code, the figures kept", passes, refreshed, d)
		}
	})
	t.Run("next refresh", func(t *testing.T) {
		next := at.Add(time.Hour)
		if err := s.SetNextRefresh(ctx, "j1", 3, next); err != nil {
			t.Fatal(err)
		}
		if d, _, _ := s.ReadDelivery(ctx, "j1"); !d.Next.Equal(next) || d.Round != 3 {
			t.Errorf("next = %v round %d, want %v round 3", d.Next, d.Round, next)
		}
		s.SetNextRefresh(ctx, "j1", 0, time.Time{})
		if d, _, _ := s.ReadDelivery(ctx, "j1"); !d.Next.IsZero() || d.Round != 3 {
			t.Errorf("next = %v round %d after none, want zero, the last round 3 kept", d.Next, d.Round)
		}
	})
	t.Run("the state carries the totals", func(t *testing.T) {
		st, err := s.ReadState(ctx, "j1")
		if err != nil || st.Delivery == nil || st.Delivery.Totals != counts(15, 15, 13, 5) {
			t.Errorf("state delivery = %+v, %v", st.Delivery, err)
		}
	})
	t.Run("a job that no longer exists", func(t *testing.T) {
		ok, err := s.RecordDelivery(ctx, "gone", store.MessageStats{MessageID: "1", At: at})
		if err != nil || ok {
			t.Errorf("RecordDelivery(gone) = %v, %v; want false", ok, err)
		}
		if n := s.Redis().Exists(ctx, s.Keys().Delivery("gone"), s.Keys().DeliveryMessages("gone")).Val(); n != 0 {
			t.Errorf("%d keys written for a job that does not exist", n)
		}
		if passes, _, err := s.CompletePass(ctx, "gone", []string{"1"}); err != nil || passes != 0 {
			t.Errorf("CompletePass(gone) = %d, %v", passes, err)
		}
	})
}

func TestPackMessageStats(t *testing.T) {
	m := store.MessageStats{MessageID: "5", Counts: counts(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), At: time.UnixMilli(123), Code: "X"}
	if got := store.UnpackMessageStats("5", store.PackMessageStats(m)); got != m {
		t.Errorf("round trip = %+v, want %+v", got, m)
	}
}
