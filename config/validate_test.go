package config_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cpush/cpush/config"
)

// longToken is an API token of the shortest length allowed.
const longToken = "0123456789abcdef0123456789abcdef"

// valid returns a Config that passes Validate outside dev mode.
func valid() config.Config {
	c := config.Default()
	c.RedisURL = "redis://:pw@127.0.0.1:6379/0"
	return c
}

// fieldErrors returns the *FieldErrors joined in err.
func fieldErrors(t *testing.T, err error) []*config.FieldError {
	t.Helper()
	var out []*config.FieldError
	for _, e := range unjoin(err) {
		var fe *config.FieldError
		if !errors.As(e, &fe) {
			t.Fatalf("error %v is not a *FieldError", e)
		}
		out = append(out, fe)
	}
	return out
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name   string
		dev    bool
		change func(c *config.Config)
		field  string // the one bad field; "" for none
		want   string // the problem contains it
	}{
		{name: "valid", change: func(c *config.Config) {}},
		{name: "dev needs no Redis", dev: true, change: func(c *config.Config) { c.RedisURL = "" }},
		{name: "Redis required", change: func(c *config.Config) { c.RedisURL = "" },
			field: "CPUSH_REDIS_URL", want: "required except in dev mode"},
		{name: "Redis URL checked in dev too", dev: true, change: func(c *config.Config) { c.RedisURL = "http://h:6379" },
			field: "CPUSH_REDIS_URL", want: "must be a redis:// or rediss:// URL"},
		{name: "rediss", change: func(c *config.Config) { c.RedisURL = "rediss://u:p@h:6380/3" }},
		{name: "Redis bad database", change: func(c *config.Config) { c.RedisURL = "redis://h:6379/x" },
			field: "CPUSH_REDIS_URL", want: `invalid database number`},
		{name: "Redis unknown option", change: func(c *config.Config) { c.RedisURL = "redis://h/0?colour=red" },
			field: "CPUSH_REDIS_URL", want: `unexpected option: colour`},
		{name: "prefix empty", change: func(c *config.Config) { c.Prefix = "" },
			field: "CPUSH_PREFIX", want: "letters, digits, _ and -"},
		{name: "prefix with colon", change: func(c *config.Config) { c.Prefix = "a:b" },
			field: "CPUSH_PREFIX", want: `not "a:b"`},
		{name: "prefix with - and _", change: func(c *config.Config) { c.Prefix = "cpush_test-2" }},
		{name: "region empty", change: func(c *config.Config) { c.Region = "" },
			field: "CPUSH_REGION", want: "region ID such as cn-hangzhou"},
		{name: "ID without secret", change: func(c *config.Config) { c.AccessKeyID = "LTAIxxxx" },
			field: "ALIBABA_CLOUD_ACCESS_KEY_SECRET", want: "required when ALIBABA_CLOUD_ACCESS_KEY_ID is set"},
		{name: "secret without ID", change: func(c *config.Config) { c.AccessKeySecret = "s" },
			field: "ALIBABA_CLOUD_ACCESS_KEY_ID", want: "required when ALIBABA_CLOUD_ACCESS_KEY_SECRET is set"},
		{name: "token without ID", change: func(c *config.Config) { c.SecurityToken = "t" },
			field: "ALIBABA_CLOUD_ACCESS_KEY_ID", want: "required when ALIBABA_CLOUD_SECURITY_TOKEN is set"},
		{name: "STS token", change: func(c *config.Config) { c.AccessKeyID, c.AccessKeySecret, c.SecurityToken = "STS.x", "s", "t" }},
		{name: "endpoint", change: func(c *config.Config) { c.PushEndpoint = "http://127.0.0.1:18600/" }},
		{name: "endpoint with path", change: func(c *config.Config) { c.PushEndpoint = "http://127.0.0.1:18600/push" },
			field: "CPUSH_PUSH_ENDPOINT", want: "http(s)://host[:port]"},
		{name: "endpoint scheme", change: func(c *config.Config) { c.PushEndpoint = "ftp://h" },
			field: "CPUSH_PUSH_ENDPOINT", want: `not "ftp://h"`},
		{name: "endpoint without scheme", change: func(c *config.Config) { c.PushEndpoint = "127.0.0.1:18600" },
			field: "CPUSH_PUSH_ENDPOINT"},
		{name: "endpoint bad port", change: func(c *config.Config) { c.PushEndpoint = "http://h:0" },
			field: "CPUSH_PUSH_ENDPOINT"},
		{name: "connect timeout", change: func(c *config.Config) { c.ConnectTimeout = 0 },
			field: "CPUSH_PUSH_CONNECT_TIMEOUT", want: "must be a positive duration such as 30s or 24h, not 0s"},
		{name: "read timeout", change: func(c *config.Config) { c.ReadTimeout = -time.Second },
			field: "CPUSH_PUSH_READ_TIMEOUT"},
		{name: "concurrency 0", change: func(c *config.Config) { c.Concurrency = 0 },
			field: "CPUSH_CONCURRENCY", want: "must be an integer from 1 to 10000, not 0"},
		{name: "concurrency 10001", change: func(c *config.Config) { c.Concurrency = 10001 },
			field: "CPUSH_CONCURRENCY"},
		{name: "concurrency 10000", change: func(c *config.Config) { c.Concurrency = 10000 }},
		{name: "rate continuously push", change: func(c *config.Config) { c.RateContinuouslyPush = 0 },
			field: "CPUSH_RATE_CONTINUOUSLY_PUSH", want: "must be a positive integer, not 0"},
		{name: "rate push", change: func(c *config.Config) { c.RatePush = -1 }, field: "CPUSH_RATE_PUSH"},
		{name: "rate complete", change: func(c *config.Config) { c.RateComplete = 0 }, field: "CPUSH_RATE_COMPLETE"},
		{name: "rate query stats", change: func(c *config.Config) { c.RateQueryStats = 0 }, field: "CPUSH_RATE_QUERY_STATS"},
		{name: "stats schedule off", change: func(c *config.Config) { c.StatsSchedule = nil }},
		{name: "stats schedule not increasing", change: func(c *config.Config) { c.StatsSchedule = config.Schedule{time.Hour, time.Minute} },
			field: "CPUSH_STATS_SCHEDULE", want: "increasing order"},
		{name: "values per call 0", change: func(c *config.Config) { c.ValuesPerCall = 0 },
			field: "CPUSH_VALUES_PER_CALL", want: "must be an integer from 1 to 1000, not 0"},
		{name: "values per call 1001", change: func(c *config.Config) { c.ValuesPerCall = 1001 },
			field: "CPUSH_VALUES_PER_CALL", want: "not 1001"},
		{name: "values per call 1", change: func(c *config.Config) { c.ValuesPerCall = 1 }},
		{name: "account", change: func(c *config.Config) { c.AccountID = "1234567890123456" }},
		{name: "account with braces", change: func(c *config.Config) { c.AccountID = "{1234}" },
			field: "CPUSH_ACCOUNT", want: "main account's ID"},
		{name: "message limit 0", change: func(c *config.Config) { c.MessageLimit = 0 },
			field: "CPUSH_MESSAGE_LIMIT", want: "positive integer"},
		{name: "message limit under a chunk", change: func(c *config.Config) { c.MessageLimit = 999 },
			field: "CPUSH_MESSAGE_LIMIT", want: "at least 1000 (one full chunk) when CPUSH_MESSAGE_LIMIT_UNIT is targets, not 999"},
		{name: "message limit one chunk", change: func(c *config.Config) { c.MessageLimit = 1000 }},
		{name: "message limit in calls", change: func(c *config.Config) { c.MessageLimit, c.MessageLimitUnit = 10, "calls" }},
		{name: "message limit unit", change: func(c *config.Config) { c.MessageLimitUnit = "Targets" },
			field: "CPUSH_MESSAGE_LIMIT_UNIT", want: `must be one of targets, calls, not "Targets"`},
		{name: "message TTL", change: func(c *config.Config) { c.MessageTTL = 0 }, field: "CPUSH_MESSAGE_TTL"},
		{name: "expiry margin 0", change: func(c *config.Config) { c.ExpiryMargin = 0 }},
		{name: "expiry margin negative", change: func(c *config.Config) { c.ExpiryMargin = -time.Minute },
			field: "CPUSH_MESSAGE_EXPIRY_MARGIN"},
		{name: "expiry margin of the TTL", change: func(c *config.Config) { c.ExpiryMargin = c.MessageTTL },
			field: "CPUSH_MESSAGE_EXPIRY_MARGIN", want: "must be less than CPUSH_MESSAGE_TTL (24h0m0s), not 24h0m0s"},
		{name: "job TTL", change: func(c *config.Config) { c.JobTTL = 0 }, field: "CPUSH_JOB_TTL"},
		{name: "max retry 0", change: func(c *config.Config) { c.MaxRetry = 0 }},
		{name: "max retry 101", change: func(c *config.Config) { c.MaxRetry = 101 },
			field: "CPUSH_MAX_RETRY", want: "must be an integer from 0 to 100, not 101"},
		{name: "HTTP off", change: func(c *config.Config) { c.HTTPAddr = "" }},
		{name: "HTTP any host", change: func(c *config.Config) { c.HTTPAddr = ":8080" }},
		{name: "HTTP no port", change: func(c *config.Config) { c.HTTPAddr = "localhost" },
			field: "CPUSH_HTTP_ADDR", want: "host:port"},
		{name: "HTTP bad port", change: func(c *config.Config) { c.HTTPAddr = "localhost:http" },
			field: "CPUSH_HTTP_ADDR"},
		{name: "empty API token", change: func(c *config.Config) { c.APITokens = []config.Secret{longToken, " "} },
			field: "CPUSH_API_TOKENS", want: "token 2 of 2 is empty"},
		{name: "API token of 32 characters", change: func(c *config.Config) { c.APITokens = []config.Secret{longToken} }},
		{name: "short API token", change: func(c *config.Config) { c.APITokens = []config.Secret{longToken, config.Secret(longToken[:31])} },
			field: "CPUSH_API_TOKENS", want: "token 2 of 2 has 31 characters, at least 32"},
		{name: "producer tokens", change: func(c *config.Config) { c.ProducerTokens = []config.Secret{longToken} }},
		{name: "short producer token", change: func(c *config.Config) { c.ProducerTokens = []config.Secret{"short"} },
			field: "CPUSH_PRODUCER_TOKENS", want: "token 1 of 1 has 5 characters, at least 32"},
		{name: "a token both admin and producer", change: func(c *config.Config) {
			c.APITokens, c.ProducerTokens = []config.Secret{longToken}, []config.Secret{longToken + "x", longToken}
		}, field: "CPUSH_PRODUCER_TOKENS", want: "token 2 of 2 is also in CPUSH_API_TOKENS"},
		{name: "metrics token", change: func(c *config.Config) { c.MetricsToken = longToken }},
		{name: "short metrics token", change: func(c *config.Config) { c.MetricsToken = "prometheus" },
			field: "CPUSH_METRICS_TOKEN", want: "has 10 characters, at least 32"},
		{name: "placeholder API token", change: func(c *config.Config) { c.APITokens = []config.Secret{"change-me-to-something-random-later"} },
			field: "CPUSH_API_TOKENS", want: "token 1 of 1 is a placeholder"},
		{name: "webhook secret", change: func(c *config.Config) { c.WebhookSecret = "0123456789abcdef" }},
		{name: "short webhook secret", change: func(c *config.Config) { c.WebhookSecret = "short-secret" },
			field: "CPUSH_WEBHOOK_SECRET", want: "at least 16 bytes (32 random bytes are best), not 12"},
		{name: "webhook timeout", change: func(c *config.Config) { c.WebhookTimeout = 0 },
			field: "CPUSH_WEBHOOK_TIMEOUT", want: "positive duration"},
		{name: "webhook allowlist", change: func(c *config.Config) {
			c.WebhookAllow = []string{"10.0.0.0/8", "hooks.internal", "*.svc.cluster.local"}
		}},
		{name: "bad webhook allowlist", change: func(c *config.Config) { c.WebhookAllow = []string{"10.0.0.0/33"} },
			field: "CPUSH_WEBHOOK_ALLOW", want: `"10.0.0.0/33" is neither a CIDR`},
		{name: "UI read-only", change: func(c *config.Config) { c.UIReadOnly = true }},
		{name: "log level", change: func(c *config.Config) { c.LogLevel = "trace" },
			field: "CPUSH_LOG_LEVEL", want: `must be one of debug, info, warn, error, not "trace"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.change(&c)
			errs := fieldErrors(t, c.Validate(tt.dev))
			if tt.field == "" {
				if len(errs) != 0 {
					t.Fatalf("Validate() = %v, want nil", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tt.field || !strings.Contains(errs[0].Problem, tt.want) {
				t.Errorf("Validate() = %v, want one error for %s containing %q", errs, tt.field, tt.want)
			}
		})
	}
	t.Run("joins every problem in field order", func(t *testing.T) {
		c := config.Default()
		c.Concurrency, c.LogLevel = 0, "loud"
		var got []string
		for _, fe := range fieldErrors(t, c.Validate(false)) {
			got = append(got, fe.Field)
		}
		want := []string{"CPUSH_REDIS_URL", "CPUSH_CONCURRENCY", "CPUSH_LOG_LEVEL"}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("fields = %v, want %v", got, want)
		}
	})
}

// TestConfig_Validate_deployPlaceholders: the tokens and the webhook
// secret that deploy/ ships as placeholders are refused, so that a
// manifest applied unedited does not serve the API, or sign webhooks, with
// a value anyone can read here.
func TestConfig_Validate_deployPlaceholders(t *testing.T) {
	raw, err := os.ReadFile("../deploy/k8s/secret.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var secret struct {
		StringData map[string]string `yaml:"stringData"`
	}
	if err := yaml.Unmarshal(raw, &secret); err != nil {
		t.Fatal(err)
	}
	var found int
	for name, v := range secret.StringData {
		if !strings.HasSuffix(name, "_TOKENS") && !strings.HasSuffix(name, "_TOKEN") && name != "CPUSH_WEBHOOK_SECRET" {
			continue
		}
		found++
		c := valid()
		loaded, err := config.Load(env(map[string]string{name: v}), "")
		if err != nil {
			t.Fatalf("Load(%s=%q): %v", name, v, err)
		}
		loaded.RedisURL = c.RedisURL
		errs := fieldErrors(t, loaded.Validate(false))
		if len(errs) != 1 || errs[0].Field != name || !strings.Contains(errs[0].Problem, "placeholder") {
			t.Errorf("Validate() with %s=%q from deploy/k8s/secret.yaml = %v, want it refused as a placeholder", name, v, errs)
		}
	}
	if found == 0 {
		t.Fatal("deploy/k8s/secret.yaml has no token to check")
	}
}
