package config

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

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
// client when RedisCluster is set. It does not dial.
func (c *Config) RedisClient() (redis.UniversalClient, error) {
	if !c.RedisCluster {
		opts, err := c.RedisOptions()
		if err != nil {
			return nil, err
		}
		return redis.NewClient(opts), nil
	}
	opts, err := c.clusterOptions()
	if err != nil {
		return nil, err
	}
	return redis.NewClusterClient(opts), nil
}

func (c *Config) clusterOptions() (*redis.ClusterOptions, error) {
	raw := c.RedisURL.Reveal()
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return nil, &FieldError{Field: "CPUSH_REDIS_URL", Problem: redisRule + ", not " + strconv.Quote(redactURL(raw))}
	}
	opts, err := redis.ParseClusterURL(raw)
	if err != nil {
		return nil, &FieldError{Field: "CPUSH_REDIS_URL", Problem: "not a Redis Cluster URL (" + redactURL(raw) + "): " + scrub(err.Error(), u)}
	}
	return opts, nil
}

func (c *Config) checkRedisURL(dev bool) error {
	if c.RedisURL == "" {
		if dev {
			return nil
		}
		return problem("CPUSH_REDIS_URL", "required except in dev mode (%s)", strings.TrimPrefix(redisRule, "must be "))
	}
	if c.RedisCluster {
		_, err := c.clusterOptions()
		return err
	}
	_, err := c.RedisOptions()
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
