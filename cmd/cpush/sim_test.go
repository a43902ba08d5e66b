package main

import (
	"flag"
	"io"
	"maps"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
)

func TestSimFlags(t *testing.T) {
	parse := func(t *testing.T, args ...string) simFlags {
		t.Helper()
		var f simFlags
		fs := flag.NewFlagSet("cpush sim", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		f.define(fs, env{getenv: func(string) string { return "" }})
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		f.cfg.QPS = f.qps()
		return f
	}
	t.Run("documented quotas by default", func(t *testing.T) {
		f := parse(t)
		if f.cfg.NoQuotas || len(f.cfg.QPS) != 0 || f.cfg.MaxURLBytes != 0 {
			t.Errorf("got NoQuotas %v, QPS %v, MaxURLBytes %d; want the documented quotas and no URL bound",
				f.cfg.NoQuotas, f.cfg.QPS, f.cfg.MaxURLBytes)
		}
		if f.cfg.ReceivedFraction != pushsim.DefaultReceivedFraction || f.cfg.OpenedFraction != pushsim.DefaultOpenedFraction {
			t.Errorf("got fractions %v and %v, want the defaults", f.cfg.ReceivedFraction, f.cfg.OpenedFraction)
		}
	})
	t.Run("knobs", func(t *testing.T) {
		f := parse(t, "--no-quotas", "--qps-continuously-push", "100", "--qps-query-stat", "5",
			"--received-fraction", "0.5", "--opened-fraction", "0.1", "--stat-settle", "1h", "--max-url-bytes", "8192")
		want := map[string]float64{pushsim.ActionContinuouslyPush: 100, pushsim.ActionQueryPushStatByMsg: 5}
		if !f.cfg.NoQuotas || !maps.Equal(f.cfg.QPS, want) {
			t.Errorf("got NoQuotas %v, QPS %v; want true, %v", f.cfg.NoQuotas, f.cfg.QPS, want)
		}
		if f.cfg.ReceivedFraction != 0.5 || f.cfg.OpenedFraction != 0.1 || f.cfg.StatSettle != time.Hour || f.cfg.MaxURLBytes != 8192 {
			t.Errorf("got %+v, want fractions 0.5 and 0.1, settle 1h, 8192 URL bytes", f.cfg)
		}
		if err := f.cfg.Validate(); err != nil {
			t.Error(err)
		}
	})
}
