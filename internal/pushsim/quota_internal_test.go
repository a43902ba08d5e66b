package pushsim

import (
	"testing"
	"time"
)

func TestWindow_allow(t *testing.T) {
	w := &window{quota: Quota{Calls: 3, Per: time.Second}}
	t0 := time.Unix(1000, 0)
	steps := []struct {
		at   time.Duration
		want bool
	}{
		{0, true}, {100 * time.Millisecond, true}, {200 * time.Millisecond, true},
		{900 * time.Millisecond, false},  // 3 calls in (-0.1s, 0.9s]
		{1000 * time.Millisecond, true},  // the call at 0 left the window
		{1050 * time.Millisecond, false}, // 0.1, 0.2, 1.0 are within a second
		{1100 * time.Millisecond, true},
		{1200 * time.Millisecond, true},
		{1300 * time.Millisecond, false},
	}
	for _, s := range steps {
		if got := w.allow(t0.Add(s.at)); got != s.want {
			t.Errorf("allow at +%v = %v, want %v", s.at, got, s.want)
		}
	}
}

func TestQuotas_allow(t *testing.T) {
	now := time.Unix(1000, 0)
	t.Run("per main account, region and action", func(t *testing.T) {
		q := newQuotas(Config{})
		a := quotaKey{"acct-a", "cn-hangzhou", ActionQueryPushStatByMsg}
		for range 50 {
			if _, ok := q.allow(a, now); !ok {
				t.Fatal("refused within the quota of 50")
			}
		}
		if code, ok := q.allow(a, now); ok || code != CodeThrottlingUser {
			t.Errorf("51st call: got %q, %v; want Throttling.User", code, ok)
		}
		for _, k := range []quotaKey{{"acct-b", "cn-hangzhou", ActionQueryPushStatByMsg}, {"acct-a", "cn-shanghai", ActionQueryPushStatByMsg},
			{"acct-a", "cn-hangzhou", ActionPush}} {
			if _, ok := q.allow(k, now); !ok {
				t.Errorf("%+v: refused, want a quota of its own", k)
			}
		}
	})
	t.Run("an override of qps 0 removes the quota", func(t *testing.T) {
		q := newQuotas(Config{QPS: map[string]float64{ActionQueryPushStatByMsg: 0}})
		k := quotaKey{"a", "r", ActionQueryPushStatByMsg}
		for range 100 {
			if _, ok := q.allow(k, now); !ok {
				t.Fatal("refused without a quota")
			}
		}
	})
	t.Run("off", func(t *testing.T) {
		q := newQuotas(Config{NoQuotas: true, APIQPS: map[string]float64{ActionPush: 1}})
		k := quotaKey{"a", "r", ActionPush}
		if _, ok := q.allow(k, now); !ok {
			t.Fatal("first call refused")
		}
		if code, ok := q.allow(k, now); ok || code != CodeThrottlingAPI {
			t.Errorf("second call: got %q, %v; want Throttling.Api: APIQPS stays with NoQuotas", code, ok)
		}
	})
}
