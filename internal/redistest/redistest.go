// Package redistest gives tests a Redis: the real one named by
// CPUSH_TEST_REDIS_URL (default redis://127.0.0.1:6379), or, where none
// answers, an in-process miniredis, so that `go test ./...` passes on any
// machine. CI always runs on the real one.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/store"
)

// DefaultURL is the Redis tests use when CPUSH_TEST_REDIS_URL is unset.
const DefaultURL = "redis://127.0.0.1:6379"

var (
	once sync.Once
	real bool
)

// URL returns the test Redis URL.
func URL() string {
	if u := os.Getenv("CPUSH_TEST_REDIS_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Real reports whether a real Redis answers at URL().
func Real() bool {
	once.Do(func() {
		opt, err := redis.ParseURL(URL())
		if err != nil {
			return
		}
		c := redis.NewClient(opt)
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		real = c.Ping(ctx).Err() == nil
	})
	return real
}

// Client returns a client of the test Redis, closed when t ends. Where no
// real Redis answers it is a fresh miniredis of t's own.
func Client(t testing.TB) redis.UniversalClient {
	t.Helper()
	var opt *redis.Options
	if Real() {
		var err error
		if opt, err = redis.ParseURL(URL()); err != nil {
			t.Fatalf("CPUSH_TEST_REDIS_URL: %v", err)
		}
	} else {
		mr := miniredis.RunT(t)
		mr.ClockTTL(true) // keys expire as on a real server, not only on FastForward
		opt = &redis.Options{Addr: mr.Addr()}
	}
	opt.PoolSize = 64
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// Prefix returns a key prefix (and asynq queue namespace) unique to this
// run, so that test packages running in parallel on one server never meet.
func Prefix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "cpt" + hex.EncodeToString(b)
}

// Namespace returns a client of the test Redis and a prefix of t's own,
// whose keys and queues are deleted when t ends.
func Namespace(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	rdb := Client(t)
	prefix := Prefix(t)
	Cleanup(t, rdb, prefix)
	return rdb, prefix
}

// Cleanup deletes every key under prefix when t ends.
func Cleanup(t testing.TB, c redis.UniversalClient, prefix string) {
	t.Cleanup(func() {
		ctx := context.Background()
		for _, pattern := range []string{prefix + ":*", "asynq:{" + prefix + ":*"} {
			iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
			for iter.Next(ctx) {
				c.Del(ctx, iter.Val())
			}
		}
		for q := range store.Queues(prefix) {
			c.SRem(ctx, "asynq:queues", q)
		}
		c.SRem(ctx, "asynq:queues", store.WebhookQueue(prefix))
	})
}

// NeedServer skips t where the redis-server binary is missing (tests that
// start their own servers: a cluster, a restart).
func NeedServer(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed; .ci/run installs it")
	}
	return path
}

// CommandStat is one command's line of INFO commandstats: its calls and
// microseconds so far, those run by scripts included (a script's
// microseconds include its commands').
type CommandStat struct{ Calls, Usec int64 }

// ParseCommandStats reads the commandstats section of an INFO reply, by
// command name as Redis writes it (lower case; "memory|usage" for a
// subcommand).
func ParseCommandStats(info string) map[string]CommandStat {
	out := map[string]CommandStat{}
	for _, line := range strings.Split(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		name, ok := strings.CutPrefix(k, "cmdstat_")
		if !ok {
			continue
		}
		var st CommandStat
		for _, kv := range strings.Split(v, ",") {
			switch k, n, _ := strings.Cut(kv, "="); k {
			case "calls":
				st.Calls, _ = strconv.ParseInt(n, 10, 64)
			case "usec":
				st.Usec, _ = strconv.ParseInt(n, 10, 64)
			}
		}
		out[name] = st
	}
	return out
}
