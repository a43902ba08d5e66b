package main

import (
	"context"
	"flag"
	"fmt"
	"net"

	"github.com/cpush/cpush/internal/pushsim"
)

// simFlags are the flags of `cpush sim`.
type simFlags struct {
	addr                                 string
	cfg                                  pushsim.Config
	qpsPush, qpsCP, qpsComplete, qpsStat float64
}

func (f *simFlags) define(fs *flag.FlagSet, e env) {
	fs.StringVar(&f.addr, "addr", "127.0.0.1:18600", "`host:port` to listen on")
	fs.StringVar(&f.cfg.AccessKeyID, "access-key-id", e.getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"), "the AccessKey ID to accept (default: $ALIBABA_CLOUD_ACCESS_KEY_ID, else the test pair)")
	fs.StringVar(&f.cfg.AccessKeySecret, "access-key-secret", e.getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET"), "the AccessKey secret to accept (default: $ALIBABA_CLOUD_ACCESS_KEY_SECRET)")
	fs.DurationVar(&f.cfg.MessageTTL, "message-ttl", pushsim.DefaultMessageTTL, "how long a stored message lives")
	fs.IntVar(&f.cfg.MessageLimit, "message-limit", pushsim.DefaultMessageLimit, "pushes per MessageId")
	fs.StringVar(&f.cfg.LimitUnit, "limit-unit", pushsim.UnitTargets, "targets or calls: what counts against the limit")
	fs.BoolVar(&f.cfg.NoQuotas, "no-quotas", false, "turn the documented API quotas off (the --qps-* flags still apply)")
	fs.Float64Var(&f.qpsCP, "qps-continuously-push", 0, "ContinuouslyPush calls per second per account before Throttling.User, a token bucket (0: the documented 500 in any second)")
	fs.Float64Var(&f.qpsPush, "qps-push", 0, "Push calls per second per account (0: the documented 1,000,000 in any minute)")
	fs.Float64Var(&f.qpsComplete, "qps-complete", 0, "CompleteContinuouslyPush calls per second per account (0: the documented 10,000 in any minute)")
	fs.Float64Var(&f.qpsStat, "qps-query-stat", 0, "QueryPushStatByMsg calls per second per account (0: the documented 50 in any second)")
	fs.Float64Var(&f.cfg.ReceivedFraction, "received-fraction", pushsim.DefaultReceivedFraction, "share of sent targets QueryPushStatByMsg counts as received (0: the default)")
	fs.Float64Var(&f.cfg.OpenedFraction, "opened-fraction", pushsim.DefaultOpenedFraction, "share of received targets it counts as opened (0: the default)")
	fs.DurationVar(&f.cfg.StatSettle, "stat-settle", 0, "how long after a message's last delivery QueryPushStatByMsg still counts nothing received or opened")
	fs.IntVar(&f.cfg.MaxURLBytes, "max-url-bytes", 0, "longest request URI accepted, answered 414 over it (0: no bound; the real gateway's is not documented)")
	fs.DurationVar(&f.cfg.Latency, "latency", 0, "added to each call")
	fs.Float64Var(&f.cfg.TransientFaultRate, "transient-faults", 0, "share of ContinuouslyPush calls answered 503, nothing delivered")
	fs.Float64Var(&f.cfg.AmbiguousFaultRate, "ambiguous-faults", 0, "share of ContinuouslyPush calls delivered, then failed")
	fs.StringVar(&f.cfg.AmbiguousMode, "ambiguous-mode", pushsim.AmbiguousError, "error (500 after delivery) or drop (connection closed)")
	fs.Float64Var(&f.cfg.ThrottleRate, "throttle", 0, "share of ContinuouslyPush calls throttled at random")
}

// qps returns the --qps-* overrides that are set.
func (f *simFlags) qps() map[string]float64 {
	q := make(map[string]float64)
	for action, v := range map[string]float64{
		pushsim.ActionContinuouslyPush: f.qpsCP, pushsim.ActionPush: f.qpsPush,
		pushsim.ActionCompleteContinuouslyPush: f.qpsComplete, pushsim.ActionQueryPushStatByMsg: f.qpsStat,
	} {
		if v != 0 {
			q[action] = v
		}
	}
	return q
}

func runSim(ctx context.Context, args []string, e env) error {
	var f simFlags
	fs := flag.NewFlagSet("cpush sim", flag.ContinueOnError)
	f.define(fs, e)
	if err := parseFlags(fs, args, e); err != nil {
		return err
	}
	f.cfg.QPS = f.qps()
	if err := f.cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("sim: listening on %s (--addr): %w", f.addr, err)
	}
	id := f.cfg.AccessKeyID
	if id == "" {
		id = pushsim.TestAccessKeyID + " (the test pair; secret " + pushsim.TestAccessKeySecret + ")"
	}
	quotas := "documented quotas"
	if f.cfg.NoQuotas {
		quotas = "no documented quotas"
	}
	fmt.Fprintf(e.stdout, "push API simulator on http://%s (%s)\n  set CPUSH_PUSH_ENDPOINT=http://%s\n  accepts AccessKey %s\n  report: GET http://%s/sim/stats\n",
		ln.Addr(), quotas, ln.Addr(), id, ln.Addr())
	return serveSim(ctx, ln, pushsim.New(f.cfg))
}

// serveSim serves s on ln until ctx is done.
func serveSim(ctx context.Context, ln net.Listener, s *pushsim.Server) error {
	err := pushsim.Serve(ctx, ln, s)
	if ctx.Err() != nil {
		return nil
	}
	return err
}
