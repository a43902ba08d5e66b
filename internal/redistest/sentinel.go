package redistest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/faultnet"
)

// SentinelMaster is the name the sentinels of Sentinel and StartSentinels
// know their master by.
const SentinelMaster = "cpush-test"

// Sentinel starts a redis-server master and one Sentinel watching it as
// SentinelMaster on free loopback ports, stopped when t ends, and returns
// the URL cpush takes for them. It skips t where redis-server is missing.
func Sentinel(t testing.TB) string {
	t.Helper()
	master := StartServer(t, ServerOptions{})
	s := startSentinel(t, master.Addr(), 1)
	return "redis://" + s.Addr() + "?master_name=" + SentinelMaster
}

// Sentinels is a Redis Sentinel deployment for failover tests: a master,
// one replica of it and three sentinels (quorum 2), each a redis-server on
// a free loopback port, all stopped when the test ends.
type Sentinels struct {
	t testing.TB
	// Servers are the master and the replica as started; a Failover swaps
	// their roles.
	Servers [2]*Server
	// Sentinels are the three sentinels.
	Sentinels []*Server
}

// StartSentinels starts a master with opts, a replica of it with the same
// persistence, and three sentinels, and waits until the replica is in
// sync and every sentinel knows the replica and the other sentinels, so
// that a failover can start at once. It skips t where redis-server is
// missing.
func StartSentinels(t testing.TB, opts ServerOptions) *Sentinels {
	t.Helper()
	master := StartServer(t, opts)
	port := strings.TrimPrefix(master.Addr(), "127.0.0.1:")
	replica := StartServer(t, ServerOptions{AppendFsync: opts.AppendFsync,
		Args: append([]string{"--replicaof", "127.0.0.1", port}, opts.Args...)})
	s := &Sentinels{t: t, Servers: [2]*Server{master, replica}}
	for range 3 {
		s.Sentinels = append(s.Sentinels, startSentinel(t, master.Addr(), 2))
	}
	s.waitReady(30 * time.Second)
	return s
}

// startSentinel runs a sentinel that watches master as SentinelMaster and
// fails over within seconds.
func startSentinel(t testing.TB, master string, quorum int) *Server {
	t.Helper()
	dir := t.TempDir()
	port := faultnet.FreePort(t)
	conf := filepath.Join(dir, "sentinel.conf")
	if err := os.WriteFile(conf, []byte(sentinelConf(port, dir, master, quorum)), 0o600); err != nil {
		t.Fatal(err)
	}
	return startServer(t, dir, port, []string{conf, "--sentinel"})
}

// sentinelConf is a sentinel's config file: the sentinel rewrites it.
func sentinelConf(port int, dir, master string, quorum int) string {
	host, mport, _ := strings.Cut(master, ":")
	return strings.Join([]string{
		"port " + strconv.Itoa(port),
		"bind 127.0.0.1",
		"dir " + dir,
		"logfile " + filepath.Join(dir, "redis.log"),
		fmt.Sprintf("sentinel monitor %s %s %s %d", SentinelMaster, host, mport, quorum),
		"sentinel down-after-milliseconds " + SentinelMaster + " 2000",
		"sentinel failover-timeout " + SentinelMaster + " 10000",
		"sentinel parallel-syncs " + SentinelMaster + " 1",
	}, "\n") + "\n"
}

// URL is the deployment's URL as cpush takes it (CPUSH_REDIS_URL):
// redis://<sentinel 1>?master_name=cpush-test&addr=<sentinel 2>&addr=<sentinel 3>.
func (s *Sentinels) URL() string {
	u := "redis://" + s.Sentinels[0].Addr() + "?master_name=" + SentinelMaster
	for _, x := range s.Sentinels[1:] {
		u += "&addr=" + x.Addr()
	}
	return u
}

// Client returns a failover client of the deployment, closed when t ends.
func (s *Sentinels) Client(t testing.TB) *redis.Client {
	addrs := make([]string, len(s.Sentinels))
	for i, x := range s.Sentinels {
		addrs[i] = x.Addr()
	}
	c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: SentinelMaster, SentinelAddrs: addrs, PoolSize: 16})
	t.Cleanup(func() { c.Close() })
	return c
}

// Master is the master's address as the first sentinel gives it.
func (s *Sentinels) Master() string {
	s.t.Helper()
	addr, err := s.masterBy(s.Sentinels[0])
	if err != nil {
		s.t.Fatalf("sentinel %s: %v", s.Sentinels[0].Addr(), err)
	}
	return addr
}

func (s *Sentinels) masterBy(sentinel *Server) (string, error) {
	sc := redis.NewSentinelClient(&redis.Options{Addr: sentinel.Addr()})
	defer sc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	hp, err := sc.GetMasterAddrByName(ctx, SentinelMaster).Result()
	if err != nil {
		return "", err
	}
	return hp[0] + ":" + hp[1], nil
}

// Failover makes the sentinels promote the replica (SENTINEL FAILOVER, as
// an operator would) and waits until every sentinel names it the master
// and it says so itself (well under a second here). It returns the new
// master's address. The sentinels turn the old master into a replica some
// seconds later (about 10 here); until then it still takes the writes of
// clients that did not hear of the switch, and they are lost, as in
// production.
func (s *Sentinels) Failover() string {
	s.t.Helper()
	old := s.Master()
	next := s.Servers[0]
	if next.Addr() == old {
		next = s.Servers[1]
	}
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.Sentinels[0].Addr()})
	defer sc.Close()
	if err := sc.Failover(context.Background(), SentinelMaster).Err(); err != nil {
		s.t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	s.waitFor(30*time.Second, "the sentinels to promote "+next.Addr(), func() error {
		for _, x := range s.Sentinels {
			if got, err := s.masterBy(x); err != nil || got != next.Addr() {
				return fmt.Errorf("sentinel %s names %s (%v)", x.Addr(), got, err)
			}
		}
		return role(next, "role:master")
	})
	return next.Addr()
}

// waitReady waits until the replica is in sync and each sentinel knows it
// and the two other sentinels.
func (s *Sentinels) waitReady(timeout time.Duration) {
	s.t.Helper()
	s.waitFor(timeout, "the replica to sync", func() error { return role(s.Servers[1], "master_link_status:up") })
	for _, x := range s.Sentinels {
		s.waitFor(timeout, "sentinel "+x.Addr()+" to know its peers", func() error {
			sc := redis.NewSentinelClient(&redis.Options{Addr: x.Addr()})
			defer sc.Close()
			ctx := context.Background()
			replicas, err := sc.Replicas(ctx, SentinelMaster).Result()
			if err != nil || len(replicas) != 1 || replicas[0]["flags"] != "slave" {
				return fmt.Errorf("replicas %v (%v)", replicas, err)
			}
			peers, err := sc.Sentinels(ctx, SentinelMaster).Result()
			if err != nil || len(peers) != len(s.Sentinels)-1 {
				return fmt.Errorf("%d other sentinels (%v)", len(peers), err)
			}
			return nil
		})
	}
}

// role checks that srv's INFO replication contains want.
func role(srv *Server, want string) error {
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	info, err := c.Info(ctx, "replication").Result()
	if err != nil {
		return err
	}
	if !strings.Contains(info, want) {
		return fmt.Errorf("%s: no %q in INFO replication", srv.Addr(), want)
	}
	return nil
}

func (s *Sentinels) waitFor(timeout time.Duration, what string, ok func() error) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = ok(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("waiting %s for %s: %v", timeout, what, err)
}
