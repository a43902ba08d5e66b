package worker

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// Options configure a Worker. Zero fields take the defaults in parentheses.
type Options struct {
	// Prefix names the Redis keys and queues ("cpush"); the producers' too.
	Prefix string
	// Limits are the service's per-MessageId rules (jobs.DefaultLimits).
	Limits jobs.Limits
	// ExpiryMargin: a MessageId is not pushed within this time of its
	// expiry (10m), so a call in flight never reaches an expired message.
	ExpiryMargin time.Duration
	// JobTTL: a job's keys live this long after its last change (7 days).
	JobTTL time.Duration
	// MaxRetry is the number of retries of a transient failure before the
	// chunk's targets are counted failed (10). Waits do not count.
	MaxRetry int
	// RetryBase and RetryMax shape the exponential backoff (1s, 5m).
	RetryBase, RetryMax time.Duration
	// Rates are the account's quotas, calls per second, shared by every
	// worker through Redis.
	Rates Rates
	// Account names the quota holder for the shared limiter: the AccessKey
	// ID and region ("default").
	Account string
	// MaxInlineWait is the longest a chunk waits for the limiter or a
	// message's MessageId inside one run (2s); a longer wait goes back to
	// the queue without using up a retry.
	MaxInlineWait time.Duration
	// LockTTL bounds how long a message's creation lock is held (30s).
	LockTTL time.Duration
	// ClockProbe is how often a worker tries a call again while the
	// service refuses its clock (10s).
	ClockProbe time.Duration
	// FinishTimeout bounds finishing a job: past it, a job whose MessageIds
	// cannot all be completed ends anyway (10m).
	FinishTimeout time.Duration
	// RescueAfter is how long an active job may stay as it is before the
	// rescue sweep enqueues again the tasks it lacks (30s; see rescue.go);
	// the sweep runs every half of it, on one worker at a time. Negative:
	// no sweep.
	RescueAfter time.Duration
	// MinReplicas is how many Redis replicas must hold a push call's
	// in-flight mark before the call goes out (0: none; see
	// store.RequireReplicas). Not on Redis Cluster.
	MinReplicas int
	// NoDirect turns the direct path off (false: on): a push:direct task
	// (enqueued by a producer with the path on) is sent on the continuous
	// path, as a push:plan task would be.
	NoDirect bool
	// StatsSchedule are the refreshes of an ended job's delivery
	// statistics, as offsets from its end (push.DefaultStatsSchedule).
	StatsSchedule []time.Duration
	// StatsOff: no scheduled refresh; those asked for still run.
	StatsOff bool
	// StatsWebhook: a job with a webhook URL is also sent a stats event
	// once the first full refresh of its statistics is in.
	StatsWebhook bool
	Logger       *zap.Logger           // (no logging)
	Metrics      prometheus.Registerer // (no metrics)
}

// Rates are calls per second per action; 0 takes the default
// (push.Rate*Default, from the documented quotas).
type Rates struct {
	ContinuouslyPush int // 500
	Push             int // 16393
	Complete         int // 163
	QueryStats       int // 50: QueryPushStatByMsg
}

func (o *Options) setDefaults() {
	if o.Prefix == "" {
		o.Prefix = jobs.DefaultPrefix
	}
	if o.Limits == (jobs.Limits{}) {
		o.Limits = jobs.DefaultLimits
	}
	o.ExpiryMargin = orDuration(o.ExpiryMargin, 10*time.Minute)
	o.JobTTL = orDuration(o.JobTTL, jobs.DefaultJobTTL)
	if o.MaxRetry <= 0 {
		o.MaxRetry = 10
	}
	o.RetryBase = orDuration(o.RetryBase, time.Second)
	o.RetryMax = orDuration(o.RetryMax, 5*time.Minute)
	o.Rates.ContinuouslyPush = orInt(o.Rates.ContinuouslyPush, push.RateContinuouslyPushDefault)
	o.Rates.Push = orInt(o.Rates.Push, push.RatePushDefault)
	o.Rates.Complete = orInt(o.Rates.Complete, push.RateCompleteDefault)
	o.Rates.QueryStats = orInt(o.Rates.QueryStats, push.RateQueryStatsDefault)
	if o.StatsSchedule == nil {
		o.StatsSchedule = push.DefaultStatsSchedule()
	}
	if o.Account == "" {
		o.Account = "default"
	}
	o.MaxInlineWait = orDuration(o.MaxInlineWait, 2*time.Second)
	o.LockTTL = orDuration(o.LockTTL, 30*time.Second)
	o.FinishTimeout = orDuration(o.FinishTimeout, 10*time.Minute)
	if o.RescueAfter == 0 {
		o.RescueAfter = 30 * time.Second
	}
	o.ClockProbe = orDuration(o.ClockProbe, 10*time.Second)
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
}

func (o *Options) validate() error {
	if err := o.Limits.Validate(); err != nil {
		return err
	}
	if o.ExpiryMargin >= o.Limits.TTL {
		return fmt.Errorf("expiry margin %s: must be less than the message TTL %s", o.ExpiryMargin, o.Limits.TTL)
	}
	for i, d := range o.StatsSchedule {
		if d <= 0 || (i > 0 && d <= o.StatsSchedule[i-1]) {
			return fmt.Errorf("stats schedule %v: must be positive durations in increasing order", o.StatsSchedule)
		}
	}
	return nil
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func orInt(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}
