package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cpush/cpush/internal/egress"
)

// FieldError is a bad setting. Field names it by its environment variable
// (CPUSH_CONCURRENCY), or by its YAML path when it has none
// (apps[1].app_key, 0-based); Problem states the rule it breaks.
type FieldError struct {
	Field   string
	Problem string
}

// Error returns "Field: Problem".
func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

func problem(field, format string, args ...any) error {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Validate checks every setting and returns all the problems joined with
// errors.Join, each a *FieldError, or nil. dev is the embedded dev mode,
// which needs no RedisURL.
func (c *Config) Validate(dev bool) error {
	errs := []error{
		c.checkRedisURL(dev),
		c.checkMinReplicas(),
		checkPrefix(c.Prefix),
		checkRegion("CPUSH_REGION", c.Region),
		checkCredentials(topCredentials, c.AccessKeyID, c.AccessKeySecret, c.SecurityToken),
		checkAccount("CPUSH_ACCOUNT", c.AccountID),
		checkEndpoint(c.PushEndpoint),
		checkDuration("CPUSH_PUSH_CONNECT_TIMEOUT", c.ConnectTimeout, positiveDuration),
		checkDuration("CPUSH_PUSH_READ_TIMEOUT", c.ReadTimeout, positiveDuration),
		checkInt("CPUSH_CONCURRENCY", c.Concurrency, concurrency),
		checkInt("CPUSH_RATE_CONTINUOUSLY_PUSH", c.RateContinuouslyPush, positive),
		checkInt("CPUSH_RATE_PUSH", c.RatePush, positive),
		checkInt("CPUSH_RATE_COMPLETE", c.RateComplete, positive),
		checkInt("CPUSH_RATE_QUERY_STATS", c.RateQueryStats, positive),
		checkInt("CPUSH_VALUES_PER_CALL", c.ValuesPerCall, valuesPerCall),
		c.checkMessageLimit(),
		checkField("CPUSH_MESSAGE_LIMIT_UNIT", checkOneOf(c.MessageLimitUnit, []string{UnitTargets, UnitCalls})),
		checkDuration("CPUSH_MESSAGE_TTL", c.MessageTTL, positiveDuration),
		c.checkExpiryMargin(),
		checkDuration("CPUSH_JOB_TTL", c.JobTTL, positiveDuration),
		checkDuration("CPUSH_MAX_START_DELAY", c.MaxStartDelay, positiveDuration),
		checkInt("CPUSH_MAX_RETRY", c.MaxRetry, retries),
		checkDuration("CPUSH_RESCUE_AFTER", c.RescueAfter, positiveDuration),
		checkField("CPUSH_STATS_SCHEDULE", c.StatsSchedule.check()),
		checkHTTPAddr(c.HTTPAddr),
		checkInt("CPUSH_MAX_UPLOADS", c.MaxUploads, uploads),
		checkTokens("CPUSH_API_TOKENS", c.APITokens),
		checkTokens("CPUSH_PRODUCER_TOKENS", c.ProducerTokens),
		checkDisjoint(c.APITokens, c.ProducerTokens),
		checkMetricsToken(c.MetricsToken),
		checkWebhookSecret(c.WebhookSecret),
		checkDuration("CPUSH_WEBHOOK_TIMEOUT", c.WebhookTimeout, positiveDuration),
		checkInt("CPUSH_WEBHOOK_CONCURRENCY", c.WebhookConcurrency, webhookConcurrency),
		checkWebhookAllow(c.WebhookAllow),
		checkField("CPUSH_LOG_LEVEL", checkOneOf(c.LogLevel, []string{"debug", "info", "warn", "error"})),
	}
	errs = append(errs, c.checkApps()...)
	return errors.Join(errs...)
}

// checkMinReplicas: WAIT counts the replicas of the server it runs on, and
// on Redis Cluster the marker's shard is not one the client can name for
// it.
func (c *Config) checkMinReplicas() error {
	if err := checkInt("CPUSH_REDIS_MIN_REPLICAS", c.RedisMinReplicas, minReplicas); err != nil {
		return err
	}
	if c.RedisMinReplicas > 0 && c.RedisCluster {
		return problem("CPUSH_REDIS_MIN_REPLICAS", "must be 0 with CPUSH_REDIS_CLUSTER (WAIT runs on one shard)")
	}
	return nil
}

func checkField(field string, err error) error {
	if err != nil {
		return &FieldError{Field: field, Problem: err.Error()}
	}
	return nil
}

func checkInt[N ~int | ~int64](field string, n N, r intRange) error {
	if !r.contains(int64(n)) {
		return problem(field, "must be %s, not %d", r, n)
	}
	return nil
}

func checkDuration(field string, d time.Duration, r durationRule) error {
	if !r.contains(d) {
		return problem(field, "must be %s, not %s", r, d)
	}
	return nil
}

var prefixPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func checkPrefix(p string) error {
	if !prefixPattern.MatchString(p) {
		return problem("CPUSH_PREFIX", "must be letters, digits, _ and - only, not %q", p)
	}
	return nil
}

var regionPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func checkRegion(field, r string) error {
	if !regionPattern.MatchString(r) {
		return problem(field, "must be a region ID such as cn-hangzhou, not %q", r)
	}
	return nil
}

// credentialNames name the three credential fields in problems.
type credentialNames struct{ id, secret, token string }

var topCredentials = credentialNames{
	"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
}

func checkCredentials(n credentialNames, id string, secret, token Secret) error {
	switch {
	case id != "" && secret == "":
		return problem(n.secret, "required when %s is set", n.id)
	case id == "" && secret != "":
		return problem(n.id, "required when %s is set", n.secret)
	case id == "" && token != "":
		return problem(n.id, "required when %s is set", n.token)
	}
	return nil
}

// accountPattern: the account names the shared limiter's Redis keys, so it
// keeps to characters that need no quoting there (a main account's ID is a
// number).
var accountPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func checkAccount(field, id string) error {
	if id != "" && !accountPattern.MatchString(id) {
		return problem(field, "must be the main account's ID: 1 to 64 letters, digits, '.', '_' or '-', not %q", id)
	}
	return nil
}

func (c *Config) checkMessageLimit() error {
	if err := checkInt("CPUSH_MESSAGE_LIMIT", c.MessageLimit, positive); err != nil {
		return err
	}
	if c.MessageLimitUnit == UnitTargets && c.MessageLimit < chunkSize {
		return problem("CPUSH_MESSAGE_LIMIT",
			"must be at least %d (one full chunk) when CPUSH_MESSAGE_LIMIT_UNIT is %s, not %d",
			chunkSize, UnitTargets, c.MessageLimit)
	}
	return nil
}

func (c *Config) checkExpiryMargin() error {
	const field = "CPUSH_MESSAGE_EXPIRY_MARGIN"
	if err := checkDuration(field, c.ExpiryMargin, nonNegativeDuration); err != nil {
		return err
	}
	if c.MessageTTL > 0 && c.ExpiryMargin >= c.MessageTTL {
		return problem(field, "must be less than CPUSH_MESSAGE_TTL (%s), not %s", c.MessageTTL, c.ExpiryMargin)
	}
	return nil
}

func checkEndpoint(e string) error {
	if e == "" {
		return nil
	}
	u, err := url.Parse(e)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || !validPort(u.Port(), 1) {
		return problem("CPUSH_PUSH_ENDPOINT",
			"must be http(s)://host[:port] with no path, such as http://127.0.0.1:18600, not %q", e)
	}
	return nil
}

func checkHTTPAddr(a string) error {
	if a == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(a)
	if err != nil || port == "" || !validPort(port, 0) {
		return problem("CPUSH_HTTP_ADDR", "must be host:port such as 127.0.0.1:8080 or :8080, or off, not %q", a)
	}
	return nil
}

// validPort reports whether p is "" or a port number from min to 65535.
func validPort(p string, min int) bool {
	if p == "" {
		return true
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= min && n <= 65535
}

// MinTokenChars is the shortest token accepted: 32 characters, such as
// `openssl rand -hex 16` gives, are out of reach of guessing.
const MinTokenChars = 32

// placeholders are words of the token values that deploy/ and the docs
// ship, so that a manifest applied unedited does not serve with a token
// anyone can read.
var placeholders = []string{"replace-me", "replaceme", "change-me", "changeme", "placeholder"}

// checkTokens checks a list of tokens of the setting field: none empty,
// none shorter than MinTokenChars, none a placeholder.
func checkTokens(field string, ts []Secret) error {
	for i, t := range ts {
		v := t.Reveal()
		switch n := utf8.RuneCountInString(v); {
		case strings.TrimSpace(v) == "":
			return problem(field, "token %d of %d is empty", i+1, len(ts))
		case n < MinTokenChars:
			return problem(field, "token %d of %d has %d characters, at least %d (e.g. openssl rand -hex 32)", i+1, len(ts), n, MinTokenChars)
		case isPlaceholder(v):
			return problem(field, "token %d of %d is a placeholder of the examples; set a random one (e.g. openssl rand -hex 32)", i+1, len(ts))
		}
	}
	return nil
}

// checkMetricsToken checks MetricsToken, when set, as an API token.
func checkMetricsToken(t Secret) error {
	if t == "" {
		return nil
	}
	return checkTokens("CPUSH_METRICS_TOKEN", []Secret{t})
}

// checkDisjoint refuses a token that is both an admin and a producer
// token: which would it be?
func checkDisjoint(admins, producers []Secret) error {
	for i, p := range producers {
		for _, a := range admins {
			if p == a {
				return problem("CPUSH_PRODUCER_TOKENS", "token %d of %d is also in CPUSH_API_TOKENS", i+1, len(producers))
			}
		}
	}
	return nil
}

func isPlaceholder(v string) bool {
	v = strings.ToLower(v)
	for _, p := range placeholders {
		if strings.Contains(v, p) {
			return true
		}
	}
	return false
}

// MinWebhookSecretBytes is the shortest WebhookSecret.
const MinWebhookSecretBytes = 16

func checkWebhookSecret(s Secret) error {
	switch n := len(s.Reveal()); {
	case n > 0 && n < MinWebhookSecretBytes:
		return problem("CPUSH_WEBHOOK_SECRET", "must be at least %d bytes (32 random bytes are best), not %d", MinWebhookSecretBytes, n)
	case n > 0 && isPlaceholder(s.Reveal()):
		return problem("CPUSH_WEBHOOK_SECRET", "is a placeholder of the examples; set a random one (e.g. openssl rand -hex 32)")
	}
	return nil
}

func checkWebhookAllow(allow []string) error {
	if _, err := egress.NewPolicy(allow); err != nil {
		return problem("CPUSH_WEBHOOK_ALLOW", "%s", err)
	}
	return nil
}
