package config

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

const redisRule = "must be a redis:// or rediss:// URL such as redis://:password@host:6379/0"

// RedisOptions parses RedisURL into go-redis options. Its error never
// holds the password.
func (c *Config) RedisOptions() (*redis.Options, error) {
	opts, err := parseRedisURL(c.RedisURL.Reveal())
	if err != nil {
		return nil, &FieldError{Field: "CPUSH_REDIS_URL", Problem: err.Error()}
	}
	return opts, nil
}

// RedisClient opens a client of the Redis RedisURL names: a Redis Cluster
// client when RedisCluster is set, a Sentinel (failover) client when the
// URL names a master_name, else a single-server client. It does not dial.
func (c *Config) RedisClient() (redis.UniversalClient, error) {
	connect, err := c.redisConnector()
	if err != nil {
		return nil, err
	}
	return connect(), nil
}

// redisConnector checks RedisURL for its topology and returns how to open
// a client of it.
func (c *Config) redisConnector() (func() redis.UniversalClient, error) {
	raw := c.RedisURL.Reveal()
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return nil, &FieldError{Field: "CPUSH_REDIS_URL", Problem: redisRule + ", not " + strconv.Quote(redactURL(raw))}
	}
	parseErr := func(kind string, err error) error {
		return &FieldError{Field: "CPUSH_REDIS_URL", Problem: "not a " + kind + " URL (" + redactURL(raw) + "): " + scrub(err.Error(), u)}
	}
	q := u.Query()
	switch {
	case c.RedisCluster:
		opts, err := redis.ParseClusterURL(raw)
		if err != nil {
			return nil, parseErr("Redis Cluster", err)
		}
		failFast(q, &opts.DialTimeout, &opts.MaxRetries)
		return func() redis.UniversalClient { return redis.NewClusterClient(opts) }, nil
	case q.Has("master_name"):
		opts, err := redis.ParseFailoverURL(raw)
		if err != nil {
			return nil, parseErr("Redis Sentinel", err)
		}
		failFast(q, &opts.DialTimeout, &opts.MaxRetries)
		return func() redis.UniversalClient { return redis.NewFailoverClient(opts) }, nil
	}
	opts, err := c.RedisOptions()
	if err != nil {
		return nil, err
	}
	failFast(q, &opts.DialTimeout, &opts.MaxRetries)
	return func() redis.UniversalClient { return redis.NewClient(opts) }, nil
}

// Redis client settings where the URL sets none (dial_timeout,
// max_retries): with go-redis's own (5 s to dial, 3 retries) a command to
// a Redis that does not answer takes 20 s to fail; with these, 4 s, so
// that a producer's send or POST fails fast with the reason.
const (
	redisDialTimeout = 2 * time.Second
	redisMaxRetries  = 1
)

func failFast(q url.Values, dial *time.Duration, retries *int) {
	if !q.Has("dial_timeout") {
		*dial = redisDialTimeout
	}
	if !q.Has("max_retries") {
		*retries = redisMaxRetries
	}
}

func (c *Config) checkRedisURL(dev bool) error {
	if c.RedisURL == "" {
		if dev {
			return nil
		}
		return problem("CPUSH_REDIS_URL", "required except in dev mode (%s)", strings.TrimPrefix(redisRule, "must be "))
	}
	_, err := c.redisConnector()
	return err
}

// parseRedisURL checks raw with redis.ParseURL. Its error shows raw
// redacted, and not url.Parse's error, which holds the whole URL.
func parseRedisURL(raw string) (*redis.Options, error) {
	shown := redactURL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New(redisRule + ", not " + strconv.Quote(shown) + ": it does not parse as a URL")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return nil, errors.New(redisRule + ", not " + strconv.Quote(shown))
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		return nil, errors.New(redisRule + ", not " + strconv.Quote(shown) + ": " + scrub(err.Error(), u))
	}
	return opts, nil
}

// scrub removes u's password from msg, should go-redis ever quote it.
func scrub(msg string, u *url.URL) string {
	if pw, ok := u.User.Password(); ok && pw != "" {
		msg = strings.ReplaceAll(msg, pw, redacted)
	}
	return msg
}
