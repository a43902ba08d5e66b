package config

import (
	"time"

	"github.com/cpush/cpush/push"
)

// Config configures the cpush binary. Default gives the documented
// defaults in parentheses; Load reads a YAML file and the environment over
// them (the YAML key and environment variable are in Table); Validate
// checks it. The zero Config is not valid: start from Default.
type Config struct {
	// RedisURL is the redis:// or rediss:// URL of the Redis that holds the
	// queues and job state (none: required except in dev mode).
	RedisURL SecretURL `json:"redis_url" yaml:"redis_url"`
	// RedisCluster says RedisURL names Redis Cluster nodes (false):
	// redis://[:password@]host:port?addr=host2:port&addr=host3:port.
	RedisCluster bool `json:"redis_cluster" yaml:"redis_cluster"`
	// RedisMinReplicas is how many replicas must hold a chunk's in-flight
	// marker (Redis WAIT) before its call goes out (0: none asked). With
	// it, a failover to a replica loses no marker of a call that went
	// out, so every push it makes cpush repeat is counted as a possible
	// duplicate. Not with RedisCluster.
	RedisMinReplicas int `json:"redis_min_replicas" yaml:"redis_min_replicas"`
	// Prefix names the Redis keys and the queues ("cpush"): [A-Za-z0-9_-].
	Prefix string `json:"prefix" yaml:"prefix"`

	// Region is the Mobile Push region ("cn-hangzhou").
	Region string `json:"region" yaml:"region"`
	// AccessKeyID, AccessKeySecret and SecurityToken are a static AccessKey
	// pair, or with SecurityToken an STS token. An empty AccessKeyID means
	// the SDK's default credential chain.
	AccessKeyID     string `json:"access_key_id" yaml:"access_key_id"`
	AccessKeySecret Secret `json:"access_key_secret" yaml:"access_key_secret"`
	SecurityToken   Secret `json:"security_token" yaml:"security_token"`
	// AccountID names the owner of the API quotas: the ID of the Alibaba
	// Cloud main account that AccessKeyID belongs to (none: AccessKeyID).
	// The quotas are per main account, region and API, so AccessKeys of
	// several RAM users of one main account share one limiter when they
	// name the same AccountID.
	AccountID string `json:"account" yaml:"account"`
	// PushEndpoint overrides the service's address with scheme://host[:port],
	// e.g. http://127.0.0.1:18600 for the simulator (none: the SDK's
	// endpoint for Region).
	PushEndpoint string `json:"push_endpoint" yaml:"push_endpoint"`
	// ConnectTimeout (5s) and ReadTimeout (10s) bound each API call.
	ConnectTimeout time.Duration `json:"connect_timeout" yaml:"connect_timeout"`
	ReadTimeout    time.Duration `json:"read_timeout" yaml:"read_timeout"`

	// Concurrency is the number of tasks a worker runs at once (50).
	Concurrency int `json:"concurrency" yaml:"concurrency"`
	// RateContinuouslyPush (500), RatePush (16393), RateComplete (163) and
	// RateQueryStats (50, QueryPushStatByMsg) are the account's quotas in
	// calls per second, shared by every worker (push.Rate*Default).
	RateContinuouslyPush int `json:"rate_continuously_push" yaml:"rate_continuously_push"`
	RatePush             int `json:"rate_push" yaml:"rate_push"`
	RateComplete         int `json:"rate_complete" yaml:"rate_complete"`
	RateQueryStats       int `json:"rate_query_stats" yaml:"rate_query_stats"`
	// ValuesPerCall is the most target values one ContinuouslyPush call
	// carries (1000), 1..1000. The SDK puts them in the request URL; lower
	// it if a gateway refuses long URLs (HTTP 414).
	ValuesPerCall int `json:"values_per_call" yaml:"values_per_call"`

	// DirectPush sends a content job whose unique targets fit one Push call
	// of its target type (1,000) with that one call, in one task (true);
	// false sends every job on the continuous path.
	DirectPush bool `json:"direct_push" yaml:"direct_push"`

	// MessageLimit is the most pushes one MessageId takes (10000), counted
	// in MessageLimitUnit: "targets" (each target, the default) or "calls".
	MessageLimit     int    `json:"message_limit" yaml:"message_limit"`
	MessageLimitUnit string `json:"message_limit_unit" yaml:"message_limit_unit"`
	// MessageTTL is how long a stored message lives (24h).
	MessageTTL time.Duration `json:"message_ttl" yaml:"message_ttl"`
	// ExpiryMargin: a MessageId is not pushed within this time of its expiry
	// (10m); less than MessageTTL.
	ExpiryMargin time.Duration `json:"expiry_margin" yaml:"expiry_margin"`
	// JobTTL is how long a job's keys live after its last change (168h).
	JobTTL time.Duration `json:"job_ttl" yaml:"job_ttl"`
	// MaxStartDelay is how far ahead a job's start may be (720h).
	MaxStartDelay time.Duration `json:"max_start_delay" yaml:"max_start_delay"`
	// MaxRetry is the number of retries of a transient failure (10), 0..100.
	MaxRetry int `json:"max_retry" yaml:"max_retry"`
	// RescueAfter is how long a job may stay as it is before the rescue
	// sweep enqueues again the tasks it lacks (30s).
	RescueAfter time.Duration `json:"rescue_after" yaml:"rescue_after"`
	// StatsSchedule are the refreshes of an ended job's delivery statistics,
	// as offsets from its end (push.DefaultStatsSchedule: 1m,10m,1h,6h,24h);
	// empty ("off"): none scheduled, only those asked for.
	StatsSchedule Schedule `json:"stats_schedule" yaml:"stats_schedule"`

	// HTTPAddr is the host:port of the HTTP endpoints ("127.0.0.1:8080");
	// empty disables them.
	HTTPAddr string `json:"http_addr" yaml:"http_addr"`
	// APITokens are the admin tokens: the HTTP API on every job, the job
	// page and the UI (none, and no ProducerTokens: they serve loopback
	// clients only, on a loopback address).
	APITokens []Secret `json:"api_tokens" yaml:"api_tokens"`
	// ProducerTokens may create jobs and read, list, cancel and export the
	// jobs they created, through the HTTP API only (none).
	ProducerTokens []Secret `json:"producer_tokens" yaml:"producer_tokens"`
	// MetricsToken, if set, is the bearer token /metrics wants (none:
	// /metrics is open, like /healthz and /readyz).
	MetricsToken Secret `json:"metrics_token" yaml:"metrics_token"`
	// MaxUploads is the most streamed uploads the HTTP API serves at once
	// (2), 1..100: each holds its unique targets in memory.
	MaxUploads int `json:"max_uploads" yaml:"max_uploads"`
	// UIReadOnly makes the asynq web UI view-only (false).
	UIReadOnly bool `json:"ui_read_only" yaml:"ui_read_only"`
	// PProf serves Go's runtime profiles at /debug/pprof/ on HTTPAddr,
	// behind the admin tokens as the web UI is (false).
	PProf bool `json:"pprof" yaml:"pprof"`
	// WebhookSecret is the HMAC-SHA256 key that signs completion webhooks,
	// at least 16 bytes (none: the API refuses webhook_url and workers
	// send no webhook).
	WebhookSecret Secret `json:"webhook_secret" yaml:"webhook_secret"`
	// WebhookTimeout bounds each webhook POST (10s).
	WebhookTimeout time.Duration `json:"webhook_timeout" yaml:"webhook_timeout"`
	// WebhookConcurrency is the number of webhooks a worker delivers at
	// once, apart from Concurrency (4), 1..1000.
	WebhookConcurrency int `json:"webhook_concurrency" yaml:"webhook_concurrency"`
	// WebhookAllow lets webhooks reach addresses that are not public
	// (none): CIDRs, addresses, host names and *.domains, for receivers
	// inside the network.
	WebhookAllow []string `json:"webhook_allow" yaml:"webhook_allow"`
	// WebhookStats sends a job's webhook a second, stats event once the
	// first full refresh of its delivery statistics is in (false).
	WebhookStats bool `json:"webhook_stats" yaml:"webhook_stats"`
	// LogLevel is debug, info, warn or error ("info").
	LogLevel string `json:"log_level" yaml:"log_level"`

	// Apps are per-AppKey settings for several apps in one deployment
	// (none; YAML only). Their empty fields inherit the top-level values.
	Apps []App `json:"apps" yaml:"apps"`
}

// Default returns the documented defaults. It is not valid until RedisURL
// is set, except in dev mode.
func Default() Config {
	return Config{
		Prefix:               "cpush",
		Region:               "cn-hangzhou",
		ConnectTimeout:       5 * time.Second,
		ReadTimeout:          10 * time.Second,
		Concurrency:          50,
		RateContinuouslyPush: push.RateContinuouslyPushDefault,
		RatePush:             push.RatePushDefault,
		RateComplete:         push.RateCompleteDefault,
		RateQueryStats:       push.RateQueryStatsDefault,
		ValuesPerCall:        push.MaxTargetsPerCall,
		DirectPush:           true,
		MessageLimit:         10000,
		MessageLimitUnit:     UnitTargets,
		MessageTTL:           24 * time.Hour,
		ExpiryMargin:         10 * time.Minute,
		JobTTL:               7 * 24 * time.Hour,
		MaxStartDelay:        30 * 24 * time.Hour,
		MaxRetry:             10,
		RescueAfter:          30 * time.Second,
		StatsSchedule:        push.DefaultStatsSchedule(),
		HTTPAddr:             "127.0.0.1:8080",
		MaxUploads:           2,
		WebhookTimeout:       10 * time.Second,
		WebhookConcurrency:   4,
		LogLevel:             "info",
	}
}

// The values of MessageLimitUnit.
const (
	UnitTargets = "targets" // each target value is one push
	UnitCalls   = "calls"   // each call is one push
)

// chunkSize is the number of targets in one ContinuouslyPush call
// (jobs.ChunkSize): a limit in targets holds at least one full chunk.
const chunkSize = 1000

// HasTokens reports whether any API token, admin or producer, is set: the
// HTTP endpoints then serve other hosts.
func (c *Config) HasTokens() bool { return len(c.APITokens)+len(c.ProducerTokens) > 0 }
