package worker

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/push"
)

// Metric names: a contract with dashboards and alerts.
const (
	MetricAPICalls           = "cpush_api_calls_total"
	MetricAPILatency         = "cpush_api_latency_seconds"
	MetricTargets            = "cpush_targets_total"
	MetricLimiterWait        = "cpush_limiter_wait_seconds"
	MetricPossibleDuplicates = "cpush_possible_duplicates_total"
	MetricLimiterRate        = "cpush_limiter_rate"
	MetricClockFault         = "cpush_clock_fault"
	MetricBreakerOpen        = "cpush_breaker_open"
	// MetricRescued counts the tasks the rescue sweep enqueued again, by
	// task type: each is a job that no task would have taken further.
	MetricRescued = "cpush_rescued_tasks_total"
	// MetricDelivery counts what the service reports of the pushes, per
	// AppKey and count (push.StatNames): each refresh of a MessageId's
	// statistics adds how much each count grew since the last.
	MetricDelivery = "cpush_delivery_total"
)

// actions are the push service's actions cpush calls, for the labels its
// metrics start with at zero.
var actions = []string{push.ActionPush, push.ActionContinuouslyPush, push.ActionCompleteContinuouslyPush,
	push.ActionQueryPushStatByMsg}

type metrics struct {
	calls      *prometheus.CounterVec   // action, code
	latency    *prometheus.HistogramVec // action
	targets    *prometheus.CounterVec   // result
	wait       *prometheus.HistogramVec // action
	duplicates prometheus.Counter
	rate       *prometheus.GaugeVec // action
	clockFault prometheus.Gauge
	breaker    *prometheus.GaugeVec   // account
	delivery   *prometheus.CounterVec // app, result
	rescued    *prometheus.CounterVec // type
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricAPICalls,
			Help: "Calls to the push service by action and answer code (OK for success)."}, []string{"action", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: MetricAPILatency,
			Help: "Latency of calls to the push service.", Buckets: prometheus.DefBuckets}, []string{"action"}),
		targets: prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricTargets,
			Help: "Targets by result: pushed, failed, cancelled."}, []string{"result"}),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: MetricLimiterWait,
			Help: "Time spent waiting for the shared rate limiter.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 8)}, []string{"action"}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{Name: MetricPossibleDuplicates,
			Help: "Targets pushed again after a call that may have been delivered."}),
		rate: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: MetricLimiterRate,
			Help: "The shared rate limit in force, calls per second, after throttling backoff."}, []string{"action"}),
		clockFault: prometheus.NewGauge(prometheus.GaugeOpts{Name: MetricClockFault,
			Help: "1 while the push service refuses this machine's clock (InvalidTimeStamp.Expired): calls wait."}),
		breaker: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: MetricBreakerOpen,
			Help: "1 while an account's breaker is open: most calls found the push service down, and calls wait."}, []string{"account"}),
		delivery: prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricDelivery,
			Help: "What the push service reports of the pushes (QueryPushStatByMsg) per AppKey: accepted, sent, received, opened, deleted and the SMS counts."},
			[]string{"app", "result"}),
		rescued: prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricRescued,
			Help: "Tasks the rescue sweep enqueued again, by type: jobs that no task would have taken further after Redis lost writes."},
			[]string{"type"}),
	}
	if reg == nil {
		return m.atZero(), nil
	}
	var err error
	m.calls, err = register(reg, m.calls)
	if err == nil {
		m.latency, err = register(reg, m.latency)
	}
	if err == nil {
		m.targets, err = register(reg, m.targets)
	}
	if err == nil {
		m.wait, err = register(reg, m.wait)
	}
	if err == nil {
		m.duplicates, err = register(reg, m.duplicates)
	}
	if err == nil {
		m.rate, err = register(reg, m.rate)
	}
	if err == nil {
		m.clockFault, err = register(reg, m.clockFault)
	}
	if err == nil {
		m.breaker, err = register(reg, m.breaker)
	}
	if err == nil {
		m.delivery, err = register(reg, m.delivery)
	}
	if err == nil {
		m.rescued, err = register(reg, m.rescued)
	}
	return m.atZero(), err
}

// atZero creates the labelled counters' series that alerts look for at 0,
// so that their first increase shows: an alert on increase() sees nothing
// of a series that starts at its first event.
func (m *metrics) atZero() *metrics {
	for _, r := range []string{"pushed", "failed", "cancelled"} {
		m.targets.WithLabelValues(r)
	}
	for _, a := range actions {
		m.calls.WithLabelValues(a, "OK")
	}
	for _, t := range []string{store.TypePlan, store.TypeDirect, store.TypeChunks, store.TypeFinish} {
		m.rescued.WithLabelValues(t)
	}
	return m
}

// delivered adds what each delivery count of an app grew by; an app's
// first refresh creates all its series.
func (m *metrics) delivered(appKey int64, grew store.Counts) {
	app := strconv.FormatInt(appKey, 10)
	for i, name := range push.StatNames {
		m.delivery.WithLabelValues(app, name).Add(float64(grew[i]))
	}
}

// register adds c to reg, or returns the collector of the same name that
// reg already has (two workers in one process share their metrics).
func register[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(T); ok {
			return existing, nil
		}
	}
	return c, err
}

func (m *metrics) observeCall(action string, start time.Time, err error) {
	code := "OK"
	if err != nil {
		code = "error"
		if e, ok := push.AsError(err); ok {
			code = e.Code
		}
	}
	m.calls.WithLabelValues(action, code).Inc()
	m.latency.WithLabelValues(action).Observe(time.Since(start).Seconds())
}

// MetricRedisRoundTrips counts the Redis round trips of a process: every
// command or pipeline sent, asynq's own included.
const MetricRedisRoundTrips = "cpush_redis_round_trips_total"

// RoundTripHook returns a go-redis hook that counts round trips on reg
// (MetricRedisRoundTrips). Add it to the process's client with AddHook.
func RoundTripHook(reg prometheus.Registerer) (redis.Hook, error) {
	c, err := register(reg, prometheus.NewCounter(prometheus.CounterOpts{Name: MetricRedisRoundTrips,
		Help: "Redis round trips of this process: commands and pipelines sent, asynq's included."}))
	if err != nil {
		return nil, err
	}
	return roundTrips{c}, nil
}

type roundTrips struct{ c prometheus.Counter }

func (roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.c.Inc()
		return next(ctx, cmd)
	}
}

func (h roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.c.Inc()
		return next(ctx, cmds)
	}
}
