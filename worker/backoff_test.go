package worker

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/push"
)

func TestEffectiveFactor(t *testing.T) {
	cut := time.Unix(1000, 0)
	tests := []struct {
		name  string
		f     float64
		since time.Duration
		want  float64
	}{
		{"no backoff", 1, 0, 1},
		{"just cut", 0.5, 0, 0.5},
		{"half recovered", 0.5, backoffRule.Recovery / 2, 0.75},
		{"recovered", 0.5, backoffRule.Recovery, 1},
		{"long after", 0.2, 10 * backoffRule.Recovery, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := effectiveFactor(tt.f, cut, cut.Add(tt.since)); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("effectiveFactor(%v, +%s) = %v, want %v", tt.f, tt.since, got, tt.want)
			}
		})
	}
}

func TestLimiter_Throttled(t *testing.T) {
	rdb, prefix := redistest.Namespace(t)
	l := newLimiter(rdb, store.New(rdb, prefix), time.Second, mustMetrics(t))
	app := App{Account: "acct@cn-hangzhou", Rates: Rates{ContinuouslyPush: 100}}
	ctx := context.Background()
	const action = push.ActionContinuouslyPush

	f1, err := l.Throttled(ctx, app, action)
	if err != nil {
		t.Fatal(err)
	}
	f2, _ := l.Throttled(ctx, app, action) // within the cooldown: no second cut
	if math.Abs(f1-backoffRule.Step) > 1e-6 || math.Abs(f2-f1) > 0.01 {
		t.Errorf("factors after two reports in one cooldown = %v, %v; want %v both", f1, f2, backoffRule.Step)
	}
	limit, err := l.limit(ctx, app, action)
	if err != nil {
		t.Fatal(err)
	}
	if limit.Rate < 79 || limit.Rate > 80 {
		t.Errorf("limit after one cut = %d/s, want 80 (0.8 of 100, barely recovered)", limit.Rate)
	}
	other, _ := l.limit(ctx, App{Account: "other@cn-hangzhou", Rates: Rates{ContinuouslyPush: 100}}, action)
	if other.Rate != 100 {
		t.Errorf("another account's limit = %d/s, want 100: backoff is per account", other.Rate)
	}
	// Many cuts, each past the cooldown, never go below the floor.
	for k := range 20 {
		f1, _ = l.store.Throttled(ctx, app.Account, action, time.Now().Add(time.Duration(k+1)*2*backoffRule.Cooldown), backoffRule)
	}
	if f1 < backoffRule.Min || f1 > backoffRule.Min+0.05 { // each cut is 2s into recovery
		t.Errorf("factor after many cuts = %v, want the floor %v", f1, backoffRule.Min)
	}
}

func mustMetrics(t *testing.T) *metrics {
	m, err := newMetrics(nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
