package config

import (
	"time"

	"github.com/cpush/cpush/push"
)

// Setting documents one setting: its environment variable, YAML key,
// default and meaning. Table lists them all.
type Setting struct {
	Env     string // environment variable; "" for a YAML-only setting
	YAML    string // YAML key; apps[].key for a key of each entry of apps
	Default string // the default as it would be written; "" for none
	Doc     string // what it sets, and its rule
}

// Table returns every setting, in the order of Config's fields, then the
// keys of each entry of apps.
func Table() []Setting {
	var all []Setting
	for _, f := range fields {
		all = append(all, f.Setting)
	}
	for _, f := range appFields {
		all = append(all, f.Setting)
	}
	return all
}

// field is a Setting and how to read it into S: set for a single value,
// or list for a YAML list (comma-separated in the environment).
type field[S any] struct {
	Setting
	set  setter[S]
	list func(s *S, vs []string) error
}

// keyApps is the YAML key of Config.Apps, which fields do not list.
const keyApps = "apps"

var fields = []field[Config]{
	{Setting: Setting{"CPUSH_REDIS_URL", "redis_url", "",
		"redis:// or rediss:// URL of Redis; required except in dev mode; with ?master_name=M&addr=host2:port, Sentinels of master M"},
		set: text(func(c *Config) *SecretURL { return &c.RedisURL })},
	{Setting: Setting{"CPUSH_REDIS_CLUSTER", "redis_cluster", "false",
		"true: CPUSH_REDIS_URL names Redis Cluster nodes, redis://host:port?addr=host2:port&addr=host3:port"},
		set: boolean(func(c *Config) *bool { return &c.RedisCluster })},
	{Setting: Setting{"CPUSH_REDIS_MIN_REPLICAS", "redis_min_replicas", "0",
		"replicas that must hold a chunk's in-flight marker (Redis WAIT, up to 1s) before its call goes out, so that a failover counts every push it repeats as a possible duplicate; 0 to 5; not with CPUSH_REDIS_CLUSTER"},
		set: integer(func(c *Config) *int { return &c.RedisMinReplicas }, minReplicas)},
	{Setting: Setting{"CPUSH_PREFIX", "prefix", "cpush",
		"prefix of the Redis keys and queues: letters, digits, _ and -"},
		set: text(func(c *Config) *string { return &c.Prefix })},
	{Setting: Setting{"CPUSH_REGION", "region", "cn-hangzhou",
		"Mobile Push region ID"},
		set: text(func(c *Config) *string { return &c.Region })},
	{Setting: Setting{"ALIBABA_CLOUD_ACCESS_KEY_ID", "access_key_id", "",
		"AccessKey ID; empty: the SDK's default credential chain"},
		set: text(func(c *Config) *string { return &c.AccessKeyID })},
	{Setting: Setting{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "access_key_secret", "",
		"AccessKey secret; required with an AccessKey ID (secret)"},
		set: secret(func(c *Config) *Secret { return &c.AccessKeySecret })},
	{Setting: Setting{"ALIBABA_CLOUD_SECURITY_TOKEN", "security_token", "",
		"STS security token to use with the AccessKey pair (secret)"},
		set: secret(func(c *Config) *Secret { return &c.SecurityToken })},
	{Setting: Setting{"CPUSH_ACCOUNT", "account", "",
		"ID of the main account that owns the API quotas; AccessKeys of one main account share them; empty: the AccessKey ID"},
		set: text(func(c *Config) *string { return &c.AccountID })},
	{Setting: Setting{"CPUSH_PUSH_ENDPOINT", "push_endpoint", "",
		"override of the service's address, http(s)://host[:port] such as http://127.0.0.1:18600"},
		set: text(func(c *Config) *string { return &c.PushEndpoint })},
	{Setting: Setting{"CPUSH_PUSH_CONNECT_TIMEOUT", "connect_timeout", "5s",
		"connect timeout of each API call"},
		set: duration(func(c *Config) *time.Duration { return &c.ConnectTimeout }, positiveDuration)},
	{Setting: Setting{"CPUSH_PUSH_READ_TIMEOUT", "read_timeout", "10s",
		"read timeout of each API call"},
		set: duration(func(c *Config) *time.Duration { return &c.ReadTimeout }, positiveDuration)},
	{Setting: Setting{"CPUSH_CONCURRENCY", "concurrency", "50",
		"tasks a worker runs at once, 1 to 10000"},
		set: integer(func(c *Config) *int { return &c.Concurrency }, concurrency)},
	{Setting: Setting{"CPUSH_RATE_CONTINUOUSLY_PUSH", "rate_continuously_push", itoa(push.RateContinuouslyPushDefault),
		"ContinuouslyPush calls per second, shared by all workers of the account (quota 500/s)"},
		set: integer(func(c *Config) *int { return &c.RateContinuouslyPush }, positive)},
	{Setting: Setting{"CPUSH_RATE_PUSH", "rate_push", itoa(push.RatePushDefault),
		"Push calls per second, shared by all workers of the account (quota 1,000,000/60s)"},
		set: integer(func(c *Config) *int { return &c.RatePush }, positive)},
	{Setting: Setting{"CPUSH_RATE_COMPLETE", "rate_complete", itoa(push.RateCompleteDefault),
		"CompleteContinuouslyPush calls per second, shared by all workers of the account (quota 10,000/60s)"},
		set: integer(func(c *Config) *int { return &c.RateComplete }, positive)},
	{Setting: Setting{"CPUSH_RATE_QUERY_STATS", "rate_query_stats", itoa(push.RateQueryStatsDefault),
		"QueryPushStatByMsg calls per second, shared by all workers of the account (quota 50/s)"},
		set: integer(func(c *Config) *int { return &c.RateQueryStats }, positive)},
	{Setting: Setting{"CPUSH_VALUES_PER_CALL", "values_per_call", itoa(push.MaxTargetsPerCall),
		"most target values in one ContinuouslyPush call, 1 to 1000; they travel in the request URL: lower it if a gateway answers 414"},
		set: integer(func(c *Config) *int { return &c.ValuesPerCall }, valuesPerCall)},
	{Setting: Setting{"CPUSH_DIRECT_PUSH", "direct_push", "true",
		"true: a content job whose unique targets fit one Push call of its type (1,000) is sent with that one call, in one task; false: every job on the continuous path"},
		set: boolean(func(c *Config) *bool { return &c.DirectPush })},
	{Setting: Setting{"CPUSH_MESSAGE_LIMIT", "message_limit", "10000",
		"most pushes one MessageId takes; at least 1000 in targets"},
		set: integer(func(c *Config) *int { return &c.MessageLimit }, positive)},
	{Setting: Setting{"CPUSH_MESSAGE_LIMIT_UNIT", "message_limit_unit", UnitTargets,
		"what the message limit counts: targets or calls"},
		set: oneOf(func(c *Config) *string { return &c.MessageLimitUnit }, UnitTargets, UnitCalls)},
	{Setting: Setting{"CPUSH_MESSAGE_TTL", "message_ttl", "24h",
		"how long a stored message lives"},
		set: duration(func(c *Config) *time.Duration { return &c.MessageTTL }, positiveDuration)},
	{Setting: Setting{"CPUSH_MESSAGE_EXPIRY_MARGIN", "expiry_margin", "10m",
		"no push within this time of a message's expiry; less than the message TTL"},
		set: duration(func(c *Config) *time.Duration { return &c.ExpiryMargin }, nonNegativeDuration)},
	{Setting: Setting{"CPUSH_JOB_TTL", "job_ttl", "168h",
		"how long a job's keys live after its last change"},
		set: duration(func(c *Config) *time.Duration { return &c.JobTTL }, positiveDuration)},
	{Setting: Setting{"CPUSH_MAX_START_DELAY", "max_start_delay", "720h",
		"how far ahead a job's start_at may be; a later one is refused"},
		set: duration(func(c *Config) *time.Duration { return &c.MaxStartDelay }, positiveDuration)},
	{Setting: Setting{"CPUSH_RESCUE_AFTER", "rescue_after", "30s",
		"how long a job may make no progress before the rescue sweep enqueues again the tasks it lacks (after Redis lost writes)"},
		set: duration(func(c *Config) *time.Duration { return &c.RescueAfter }, positiveDuration)},
	{Setting: Setting{"CPUSH_MAX_RETRY", "max_retry", "10",
		"retries of a transient failure, 0 to 100"},
		set: integer(func(c *Config) *int { return &c.MaxRetry }, retries)},
	{Setting: Setting{"CPUSH_STATS_SCHEDULE", "stats_schedule", Schedule(push.DefaultStatsSchedule()).String(),
		"when a job's delivery statistics are asked for (QueryPushStatByMsg), as times after its end, increasing; off: only when asked (cpush stats --refresh)"},
		set: schedule(func(c *Config) *Schedule { return &c.StatsSchedule })},
	{Setting: Setting{"CPUSH_HTTP_ADDR", "http_addr", "127.0.0.1:8080",
		"host:port of the HTTP endpoints; off (or \"\" in YAML) disables them"},
		set: address},
	{Setting: Setting{"CPUSH_API_TOKENS", "api_tokens", "",
		"admin tokens of the HTTP API, the job page and the UI, each random and at least 32 characters: a YAML list, comma-separated in the environment (secret)"},
		list: tokens(func(c *Config) *[]Secret { return &c.APITokens })},
	{Setting: Setting{"CPUSH_PRODUCER_TOKENS", "producer_tokens", "",
		"producer tokens: create jobs and read, list, cancel and export their own, through /v1/ only; each random and at least 32 characters, comma-separated (secret)"},
		list: tokens(func(c *Config) *[]Secret { return &c.ProducerTokens })},
	{Setting: Setting{"CPUSH_METRICS_TOKEN", "metrics_token", "",
		"bearer token that /metrics wants, random and at least 32 characters (secret); none: /metrics is open"},
		set: secret(func(c *Config) *Secret { return &c.MetricsToken })},
	{Setting: Setting{"CPUSH_MAX_UPLOADS", "max_uploads", "2",
		"streamed uploads the HTTP API serves at once, 1 to 100; each holds its unique targets in memory; one more is answered 429"},
		set: integer(func(c *Config) *int { return &c.MaxUploads }, uploads)},
	{Setting: Setting{"CPUSH_UI_READ_ONLY", "ui_read_only", "false",
		"true: the asynq web UI at /monitoring/ only shows, it cannot delete, run or pause"},
		set: boolean(func(c *Config) *bool { return &c.UIReadOnly })},
	{Setting: Setting{"CPUSH_PPROF", "pprof", "false",
		"true: Go's runtime profiles (CPU, heap, goroutines) at /debug/pprof/, behind the admin tokens as /monitoring/ is"},
		set: boolean(func(c *Config) *bool { return &c.PProf })},
	{Setting: Setting{"CPUSH_WEBHOOK_SECRET", "webhook_secret", "",
		"HMAC-SHA256 key of the completion webhooks' signature, at least 16 bytes; none: webhook_url is refused (secret)"},
		set: secret(func(c *Config) *Secret { return &c.WebhookSecret })},
	{Setting: Setting{"CPUSH_WEBHOOK_TIMEOUT", "webhook_timeout", "10s",
		"timeout of each completion webhook POST"},
		set: duration(func(c *Config) *time.Duration { return &c.WebhookTimeout }, positiveDuration)},
	{Setting: Setting{"CPUSH_WEBHOOK_CONCURRENCY", "webhook_concurrency", "4",
		"webhooks a worker delivers at once, on their own queue apart from the push tasks, 1 to 1000"},
		set: integer(func(c *Config) *int { return &c.WebhookConcurrency }, webhookConcurrency)},
	{Setting: Setting{"CPUSH_WEBHOOK_ALLOW", "webhook_allow", "",
		"non-public addresses webhooks may reach, for receivers inside the network: CIDRs, addresses, host names or *.domains, comma-separated; none: public addresses only"},
		list: stringList(func(c *Config) *[]string { return &c.WebhookAllow })},
	{Setting: Setting{"CPUSH_WEBHOOK_STATS", "webhook_stats", "false",
		"true: a job's webhook also gets a stats event once the first full refresh of its delivery statistics is in"},
		set: boolean(func(c *Config) *bool { return &c.WebhookStats })},
	{Setting: Setting{"CPUSH_LOG_LEVEL", "log_level", "info",
		"debug, info, warn or error"},
		set: oneOf(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")},
	{Setting: Setting{"", keyApps, "",
		"YAML list of per-AppKey settings with the keys apps[].*; empty ones inherit the top level"}},
}

var appFields = []field[App]{
	{Setting: Setting{"", "apps[].app_key", "",
		"the app's AppKey: positive, unique"},
		set: integer(func(a *App) *int64 { return &a.AppKey }, positive)},
	{Setting: Setting{"", "apps[].access_key_id", "",
		"the app's AccessKey ID; empty: the top-level ID, secret and token"},
		set: text(func(a *App) *string { return &a.AccessKeyID })},
	{Setting: Setting{"", "apps[].access_key_secret", "",
		"the app's AccessKey secret; required with its AccessKey ID (secret)"},
		set: secret(func(a *App) *Secret { return &a.AccessKeySecret })},
	{Setting: Setting{"", "apps[].security_token", "",
		"the app's STS security token (secret)"},
		set: secret(func(a *App) *Secret { return &a.SecurityToken })},
	{Setting: Setting{"", "apps[].account", "",
		"ID of the main account that owns the app's AccessKey and its quotas; only with the app's own access_key_id; empty: that AccessKey ID"},
		set: text(func(a *App) *string { return &a.AccountID })},
	{Setting: Setting{"", "apps[].region", "",
		"the app's region; empty: the top-level region"},
		set: text(func(a *App) *string { return &a.Region })},
	{Setting: Setting{"", "apps[].rate_continuously_push", "",
		"the app's account's ContinuouslyPush calls per second; empty: the top-level rate"},
		set: integer(func(a *App) *int { return &a.RateContinuouslyPush }, positive)},
	{Setting: Setting{"", "apps[].rate_push", "",
		"the app's account's Push calls per second; empty: the top-level rate"},
		set: integer(func(a *App) *int { return &a.RatePush }, positive)},
	{Setting: Setting{"", "apps[].rate_complete", "",
		"the app's account's CompleteContinuouslyPush calls per second; empty: the top-level rate"},
		set: integer(func(a *App) *int { return &a.RateComplete }, positive)},
	{Setting: Setting{"", "apps[].rate_query_stats", "",
		"the app's account's QueryPushStatByMsg calls per second; empty: the top-level rate"},
		set: integer(func(a *App) *int { return &a.RateQueryStats }, positive)},
}

// lookup finds the field whose YAML key is key.
func lookup[S any](fs []field[S], key string) (field[S], bool) {
	for _, f := range fs {
		if f.YAML == key {
			return f, true
		}
	}
	return field[S]{}, false
}
