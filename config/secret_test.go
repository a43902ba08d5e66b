package config_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cpush/cpush/config"
)

// The secrets of secretConfig; none may be printed.
var secrets = []string{
	"redis-pw-5ecret", "ak-secret-4f2a", "sts-token-9c1e", "api-token-aa11", "api-token-bb22",
	"app-secret-77d0", "app-sts-3b3b", "webhook-secret-5e5e5e", "producer-token-cc33", "metrics-token-dd44",
}

func secretConfig() config.Config {
	c := config.Default()
	c.RedisURL = "rediss://cpush:redis-pw-5ecret@redis.internal:6380/2"
	c.AccessKeyID = "LTAI5tFullAccessKeyID"
	c.AccessKeySecret = "ak-secret-4f2a"
	c.SecurityToken = "sts-token-9c1e"
	c.APITokens = []config.Secret{"api-token-aa11", "api-token-bb22"}
	c.WebhookSecret = "webhook-secret-5e5e5e"
	c.ProducerTokens = []config.Secret{"producer-token-cc33"}
	c.MetricsToken = "metrics-token-dd44"
	c.Apps = []config.App{{AppKey: 1, AccessKeyID: "LTAIappKeyID", AccessKeySecret: "app-secret-77d0", SecurityToken: "app-sts-3b3b"}}
	return c
}

// assertNoSecret fails when out holds a secret, plainly or hex-encoded.
func assertNoSecret(t *testing.T, what, out string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(out, s) || strings.Contains(out, hex.EncodeToString([]byte(s))) {
			t.Errorf("%s leaks %q:\n%s", what, s, out)
		}
	}
}

func TestConfig_String(t *testing.T) {
	c := secretConfig()
	got := c.String()
	assertNoSecret(t, "String()", got)
	for _, want := range []string{
		"redis_url: rediss://cpush:[redacted]@redis.internal:6380/2",
		"access_key_id: LTAI****", "access_key_secret: '[redacted]'", "security_token: '[redacted]'",
		"- '[redacted]'", "concurrency: 50",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("String() lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "LTAI5tFull") || strings.Contains(got, "LTAIappKey") {
		t.Errorf("String() shows an AccessKey ID unmasked:\n%s", got)
	}
	if c.AccessKeyID != "LTAI5tFullAccessKeyID" || c.Apps[0].AccessKeyID != "LTAIappKeyID" {
		t.Errorf("String() changed the Config")
	}
}

func TestConfig_redaction(t *testing.T) {
	c := secretConfig()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%10.3v"} {
		assertNoSecret(t, verb+" of Config", fmt.Sprintf(verb, c))
		assertNoSecret(t, verb+" of *Config", fmt.Sprintf(verb, &c))
		assertNoSecret(t, verb+" of a struct holding it", fmt.Sprintf(verb, struct{ C config.Config }{c}))
		assertNoSecret(t, verb+" of a Secret", fmt.Sprintf(verb, c.AccessKeySecret))
		assertNoSecret(t, verb+" of a SecretURL", fmt.Sprintf(verb, c.RedisURL))
	}
	t.Run("JSON", func(t *testing.T) {
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecret(t, "json.Marshal", string(out))
		if !strings.Contains(string(out), `"access_key_secret":"[redacted]"`) {
			t.Errorf("json.Marshal = %s, want access_key_secret [redacted]", out)
		}
	})
	t.Run("YAML", func(t *testing.T) {
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecret(t, "yaml.Marshal", string(out))
	})
	t.Run("Reveal", func(t *testing.T) {
		if got := c.AccessKeySecret.Reveal(); got != "ak-secret-4f2a" {
			t.Errorf("Reveal() = %q, want the secret", got)
		}
		if got := c.RedisURL.Reveal(); !strings.Contains(got, "redis-pw-5ecret") {
			t.Errorf("Reveal() = %q, want the URL with its password", got)
		}
	})
	t.Run("empty secret prints empty", func(t *testing.T) {
		if got := fmt.Sprint(config.Secret("")); got != "" {
			t.Errorf("Sprint(empty) = %q, want \"\"", got)
		}
	})
}

func TestSecretURL_String(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{name: "password", url: "redis://:redis-pw-5ecret@h:6379/0", want: "redis://:[redacted]@h:6379/0"},
		{name: "user and password", url: "rediss://u:redis-pw-5ecret@h:6380", want: "rediss://u:[redacted]@h:6380"},
		{name: "no password", url: "redis://u@h:6379/0?protocol=3", want: "redis://u@h:6379/0?protocol=3"},
		{name: "no userinfo", url: "redis://h:6379", want: "redis://h:6379"},
		{name: "does not parse", url: "redis://:redis-pw-5ecret%zz@h:6379", want: "redis://[redacted]@h:6379"},
		{name: "no host", url: "redis://:redis-pw-5ecret@/0", want: "redis://[redacted]@/0"},
		{name: "not a URL", url: "redis-pw-5ecret", want: "[redacted]"},
		{name: "empty", url: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := config.SecretURL(tt.url).String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConfig_RedisOptions(t *testing.T) {
	t.Run("parses", func(t *testing.T) {
		c := secretConfig()
		opts, err := c.RedisOptions()
		if err != nil {
			t.Fatal(err)
		}
		if opts.Addr != "redis.internal:6380" || opts.Password != "redis-pw-5ecret" || opts.DB != 2 || opts.TLSConfig == nil {
			t.Errorf("RedisOptions() = %s, %q, %d, TLS %v; want the URL's", opts.Addr, opts.Password, opts.DB, opts.TLSConfig != nil)
		}
	})
	for _, url := range []string{
		"redis://:redis-pw-5ecret@h:6379/x",
		"redis://:redis-pw-5ecret%zz@h:6379",
		"http://:redis-pw-5ecret@h:6379",
		"redis://:redis-pw-5ecret@h:bad/0",
		"redis-pw-5ecret",
	} {
		t.Run("error hides the password of "+config.SecretURL(url).String(), func(t *testing.T) {
			c := config.Default()
			c.RedisURL = config.SecretURL(url)
			err := c.Validate(false)
			if err == nil {
				t.Fatal("Validate() = nil, want an error")
			}
			assertNoSecret(t, "Validate()", err.Error())
			if !strings.HasPrefix(err.Error(), "CPUSH_REDIS_URL: ") {
				t.Errorf("Validate() = %v, want it to name CPUSH_REDIS_URL", err)
			}
		})
	}
}
