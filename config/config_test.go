package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/config"
	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/worker"
)

// env returns a getenv that reads vars.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// writeFile writes a YAML file in a test's temporary directory.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cpush.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefault(t *testing.T) {
	t.Run("documented values", func(t *testing.T) {
		want := config.Config{
			Prefix: "cpush", Region: "cn-hangzhou",
			ConnectTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
			Concurrency: 50, RateContinuouslyPush: 500, RatePush: 16393, RateComplete: 163, RateQueryStats: 50,
			MessageLimit: 10000, MessageLimitUnit: "targets", MessageTTL: 24 * time.Hour, ValuesPerCall: 1000, DirectPush: true,
			ExpiryMargin: 10 * time.Minute, JobTTL: 168 * time.Hour, MaxStartDelay: 720 * time.Hour, MaxRetry: 10, RescueAfter: 30 * time.Second,
			StatsSchedule: config.Schedule{time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour},
			HTTPAddr:      "127.0.0.1:8080", MaxUploads: 2, WebhookTimeout: 10 * time.Second, WebhookConcurrency: 4, LogLevel: "info",
		}
		if got := config.Default(); !reflect.DeepEqual(got, want) {
			t.Errorf("Default() = %#v, want %#v", got, want)
		}
	})
	t.Run("agrees with jobs", func(t *testing.T) {
		c := config.Default()
		got := jobs.Limits{Limit: c.MessageLimit, Unit: c.MessageLimitUnit, TTL: c.MessageTTL}
		if got != jobs.DefaultLimits {
			t.Errorf("limits = %+v, want jobs.DefaultLimits %+v", got, jobs.DefaultLimits)
		}
		if c.Prefix != jobs.DefaultPrefix || c.JobTTL != jobs.DefaultJobTTL {
			t.Errorf("prefix, job TTL = %q, %s, want %q, %s", c.Prefix, c.JobTTL, jobs.DefaultPrefix, jobs.DefaultJobTTL)
		}
		if c.MaxStartDelay != jobs.DefaultMaxStartDelay {
			t.Errorf("max start delay = %s, want jobs.DefaultMaxStartDelay %s", c.MaxStartDelay, jobs.DefaultMaxStartDelay)
		}
		if c.MaxUploads != httpapi.DefaultMaxUploads {
			t.Errorf("max uploads = %d, want httpapi.DefaultMaxUploads %d", c.MaxUploads, httpapi.DefaultMaxUploads)
		}
		if c.WebhookConcurrency != worker.WebhookConcurrencyDefault {
			t.Errorf("webhook concurrency = %d, want worker.WebhookConcurrencyDefault %d", c.WebhookConcurrency, worker.WebhookConcurrencyDefault)
		}
	})
	t.Run("valid in dev mode only", func(t *testing.T) {
		c := config.Default()
		if err := c.Validate(true); err != nil {
			t.Errorf("Validate(dev) = %v, want nil", err)
		}
		err := c.Validate(false)
		if err == nil || !strings.HasPrefix(err.Error(), "CPUSH_REDIS_URL: required") {
			t.Errorf("Validate(not dev) = %v, want CPUSH_REDIS_URL: required...", err)
		}
	})
}

const fileYAML = `
redis_url: redis://file:6379/1
region: cn-shanghai
concurrency: 20
message_ttl: 12h
api_tokens: [file-token-1, file-token-2]
log_level: debug
http_addr: ""
apps:
  - app_key: 333
    rate_push: 7
`

func TestLoad(t *testing.T) {
	t.Run("nothing set gives the defaults", func(t *testing.T) {
		got, err := config.Load(env(nil), "")
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if want := config.Default(); !reflect.DeepEqual(got, want) {
			t.Errorf("Load() = %#v, want %#v", got, want)
		}
	})
	t.Run("nil getenv reads no environment", func(t *testing.T) {
		if _, err := config.Load(nil, ""); err != nil {
			t.Errorf("Load(nil) = %v, want nil", err)
		}
	})
	t.Run("file only", func(t *testing.T) {
		got, err := config.Load(env(nil), writeFile(t, fileYAML))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		want := config.Default()
		want.RedisURL = "redis://file:6379/1"
		want.Region = "cn-shanghai"
		want.Concurrency = 20
		want.MessageTTL = 12 * time.Hour
		want.APITokens = []config.Secret{"file-token-1", "file-token-2"}
		want.LogLevel = "debug"
		want.HTTPAddr = ""
		want.Apps = []config.App{{AppKey: 333, RatePush: 7}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Load(file) =\n%#v\nwant\n%#v", got, want)
		}
	})
	t.Run("environment overrides file", func(t *testing.T) {
		got, err := config.Load(env(map[string]string{
			"CPUSH_REDIS_URL":   "rediss://env:6380/2",
			"CPUSH_CONCURRENCY": "30",
			"CPUSH_API_TOKENS":  " env-a , env-b,,",
			"CPUSH_HTTP_ADDR":   ":9090",
		}), writeFile(t, fileYAML))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if got.RedisURL != "rediss://env:6380/2" || got.Concurrency != 30 || got.HTTPAddr != ":9090" {
			t.Errorf("got redis_url %q, concurrency %d, http_addr %q, want the environment's", got.RedisURL.Reveal(), got.Concurrency, got.HTTPAddr)
		}
		if want := []config.Secret{"env-a", "env-b"}; !reflect.DeepEqual(got.APITokens, want) {
			t.Errorf("APITokens = %q, want %q", revealAll(got.APITokens), revealAll(want))
		}
		if got.Region != "cn-shanghai" || got.MessageTTL != 12*time.Hour {
			t.Errorf("got region %q, message_ttl %s, want the file's", got.Region, got.MessageTTL)
		}
	})
	t.Run("HTTP off from the environment", func(t *testing.T) {
		got, err := config.Load(env(map[string]string{"CPUSH_HTTP_ADDR": "off"}), "")
		if err != nil || got.HTTPAddr != "" {
			t.Errorf("Load() = %q, %v, want \"\", nil", got.HTTPAddr, err)
		}
	})
	t.Run("empty and null file", func(t *testing.T) {
		for _, content := range []string{"", "# nothing\n", "---\n", "~\n", "region: ~\n"} {
			got, err := config.Load(env(nil), writeFile(t, content))
			if err != nil || !reflect.DeepEqual(got, config.Default()) {
				t.Errorf("Load(%q) = %v, want the defaults", content, err)
			}
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := config.Load(env(nil), filepath.Join(t.TempDir(), "none.yaml"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Load() = %v, want os.ErrNotExist", err)
		}
	})
}

func TestLoad_Errors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		file string
		want string // the error contains it
	}{
		{name: "bad integer", env: map[string]string{"CPUSH_CONCURRENCY": "abc"},
			want: `CPUSH_CONCURRENCY: must be an integer from 1 to 10000, not "abc"`},
		{name: "integer out of range", env: map[string]string{"CPUSH_MAX_RETRY": "101"},
			want: `CPUSH_MAX_RETRY: must be an integer from 0 to 100, not "101"`},
		{name: "bad rate", env: map[string]string{"CPUSH_RATE_PUSH": "0"},
			want: `CPUSH_RATE_PUSH: must be a positive integer, not "0"`},
		{name: "values per call over 1000", env: map[string]string{"CPUSH_VALUES_PER_CALL": "2000"},
			want: `CPUSH_VALUES_PER_CALL: must be an integer from 1 to 1000, not "2000"`},
		{name: "bad duration", env: map[string]string{"CPUSH_MESSAGE_TTL": "24"},
			want: `CPUSH_MESSAGE_TTL: must be a positive duration such as 30s or 24h, not "24"`},
		{name: "negative margin", env: map[string]string{"CPUSH_MESSAGE_EXPIRY_MARGIN": "-1m"},
			want: `CPUSH_MESSAGE_EXPIRY_MARGIN: must be a duration of 0 or more such as 0s or 10m, not "-1m"`},
		{name: "bad unit", env: map[string]string{"CPUSH_MESSAGE_LIMIT_UNIT": "bytes"},
			want: `CPUSH_MESSAGE_LIMIT_UNIT: must be one of targets, calls, not "bytes"`},
		{name: "bad log level", env: map[string]string{"CPUSH_LOG_LEVEL": "verbose"},
			want: `CPUSH_LOG_LEVEL: must be one of debug, info, warn, error, not "verbose"`},
		{name: "unknown key", file: "concurency: 5\n",
			want: `line 1: concurency: unknown key`},
		{name: "unknown app key", file: "apps:\n  - app_key: 1\n    secret: x\n",
			want: `line 3: apps[0].secret: unknown key`},
		{name: "bad file value", file: "region: x\nconcurrency: lots\n",
			want: `line 2: concurrency: must be an integer from 1 to 10000, not "lots"`},
		{name: "bad app value", file: "apps:\n  - app_key: -5\n",
			want: `line 2: apps[0].app_key: must be a positive integer, not "-5"`},
		{name: "key twice", file: "region: a\nregion: b\n",
			want: `line 2: region: set twice`},
		{name: "list for a single value", file: "region: [a, b]\n",
			want: `line 1: region: must be a single value, not a list or mapping`},
		{name: "single value for a list", file: "api_tokens: abc\n",
			want: `line 1: api_tokens: must be a list of strings`},
		{name: "apps not a list", file: "apps: {app_key: 1}\n",
			want: `line 1: apps: must be a list of mappings`},
		{name: "not a mapping", file: "- a\n- b\n",
			want: `line 1: must be a mapping of setting keys to values`},
		{name: "bad YAML", file: "region: [\n", want: "cpush.yaml: yaml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := ""
			if tt.file != "" {
				file = writeFile(t, tt.file)
			}
			_, err := config.Load(env(tt.env), file)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load() error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	t.Run("names the variable as a FieldError", func(t *testing.T) {
		_, err := config.Load(env(map[string]string{"CPUSH_JOB_TTL": "soon"}), "")
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Field != "CPUSH_JOB_TTL" {
			t.Errorf("Load() error = %v, want a *FieldError for CPUSH_JOB_TTL", err)
		}
	})
}

func TestTable(t *testing.T) {
	t.Run("every variable is read by Load", func(t *testing.T) {
		for _, s := range config.Table() {
			if s.Env == "" {
				continue
			}
			got, err := config.Load(env(map[string]string{s.Env: "cpush-test-7"}), "")
			read := reflect.DeepEqual(got, config.Default()) == false ||
				(err != nil && strings.Contains(err.Error(), s.Env+": "))
			if !read {
				t.Errorf("Load() ignored %s (error %v)", s.Env, err)
			}
		}
	})
	t.Run("defaults read back as Default", func(t *testing.T) {
		vars := map[string]string{}
		for _, s := range config.Table() {
			if s.Env != "" {
				vars[s.Env] = s.Default
			}
		}
		got, err := config.Load(env(vars), "")
		if err != nil || !reflect.DeepEqual(got, config.Default()) {
			t.Errorf("Load(Table defaults) = %+v, %v, want Default()", got, err)
		}
	})
	t.Run("every field has a row", func(t *testing.T) {
		rows := map[string]bool{}
		for _, s := range config.Table() {
			rows[s.YAML] = true
			if s.Doc == "" {
				t.Errorf("%s has no Doc", s.YAML)
			}
		}
		for _, key := range yamlKeys(reflect.TypeFor[config.Config](), "") {
			if !rows[key] {
				t.Errorf("Table() has no row for %s", key)
			}
		}
		for _, key := range yamlKeys(reflect.TypeFor[config.App](), "apps[].") {
			if !rows[key] {
				t.Errorf("Table() has no row for %s", key)
			}
		}
	})
	t.Run("every YAML key is read by Load", func(t *testing.T) {
		for _, s := range config.Table() {
			key, ok := strings.CutPrefix(s.YAML, "apps[].")
			content := s.YAML + ": ~\n"
			if ok {
				content = "apps:\n  - " + key + ": ~\n"
			}
			if _, err := config.Load(env(nil), writeFile(t, content)); err != nil {
				t.Errorf("Load(%q) = %v, want nil", content, err)
			}
		}
	})
}

// yamlKeys lists the yaml tags of a struct type's fields.
func yamlKeys(typ reflect.Type, prefix string) []string {
	var keys []string
	for f := range typ.Fields() {
		keys = append(keys, prefix+f.Tag.Get("yaml"))
	}
	return keys
}

func revealAll(ss []config.Secret) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Reveal())
	}
	return out
}

// TestTable_README checks that the README's settings table lists every
// setting of Table, new ones included.
func TestTable_README(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Table() {
		name := s.Env
		if name == "" {
			name = strings.TrimPrefix(strings.SplitN(s.YAML, ".", 2)[0], "apps[]")
			if name == "" {
				name = "apps"
			}
		}
		if !strings.Contains(string(readme), "| `"+name+"` |") {
			t.Errorf("README.md's settings table does not list %s", name)
		}
	}
}

func TestLoad_StatsSchedule(t *testing.T) {
	tests := []struct {
		name, env string
		want      config.Schedule
		wantErr   string
	}{
		{"default", "", config.Schedule{time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}, ""},
		{"set", "30s, 5m,2h", config.Schedule{30 * time.Second, 5 * time.Minute, 2 * time.Hour}, ""},
		{"off", "OFF", config.Schedule{}, ""},
		{"not a duration", "1m,soon", nil, `CPUSH_STATS_SCHEDULE: must be durations such as 1m,10m,1h, or off, not "1m,soon"`},
		{"decreasing", "1h,1m", nil, "CPUSH_STATS_SCHEDULE: must be positive durations in increasing order"},
		{"zero", "0s", nil, "CPUSH_STATS_SCHEDULE: must be positive durations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.Load(env(map[string]string{"CPUSH_STATS_SCHEDULE": tt.env}), "")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Load = %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got.StatsSchedule, tt.want) {
				t.Errorf("StatsSchedule = %v, %v; want %v", got.StatsSchedule, err, tt.want)
			}
		})
	}
	t.Run("in YAML and in the redacted form", func(t *testing.T) {
		got, err := config.Load(env(nil), writeFile(t, "stats_schedule: 2m,1h\n"))
		if err != nil || got.StatsSchedule.String() != "2m,1h" || !strings.Contains(got.String(), "stats_schedule: 2m,1h") {
			t.Errorf("Load = %v, %v; want 2m,1h written as it was set", got.StatsSchedule, err)
		}
	})
}
