package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster starts a Redis Cluster of three masters from redis-server on free
// loopback ports, stopped when t ends, and returns a client of it and its
// URL in the form cpush takes (CPUSH_REDIS_CLUSTER=true). It skips t where
// redis-server or redis-cli is missing.
func Cluster(t testing.TB) (*redis.ClusterClient, string) {
	t.Helper()
	server := NeedServer(t)
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli is not installed; .ci/run installs it")
	}
	dir := t.TempDir()
	var addrs []string
	for i := range 3 {
		addrs = append(addrs, startNode(t, server, filepath.Join(dir, strconv.Itoa(i)),
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, strconv.Itoa(i), "nodes.conf")))
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, PoolSize: 64})
	t.Cleanup(func() { c.Close() })
	waitClusterOK(t, c)
	url := "redis://" + addrs[0] + "?addr=" + addrs[1] + "&addr=" + addrs[2]
	return c, url
}

// startNode runs one redis-server with extra arguments in dir until t ends.
func startNode(t testing.TB, server, dir string, extra ...string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", dir, "--save", "", "--appendonly", "no"}, extra...)
	return runServer(t, server, port, args...)
}

// runServer runs redis-server with args until t ends, and returns its
// address once it answers on port.
func runServer(t testing.TB, server string, port int, args ...string) string {
	t.Helper()
	cmd := exec.Command(server, args...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server %v: %v", args, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	waitPing(t, addr)
	return addr
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitPing(t testing.TB, addr string) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer c.Close()
	for range 100 {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("redis-server on %s did not answer", addr)
}

func waitClusterOK(t testing.TB, c *redis.ClusterClient) {
	t.Helper()
	var info string
	for range 100 {
		info, _ = c.ClusterInfo(context.Background()).Result()
		if strings.Contains(info, "cluster_state:ok") {
			// Every node must know every slot before scripts run.
			err := c.ForEachShard(context.Background(), func(ctx context.Context, n *redis.Client) error {
				s, err := n.ClusterInfo(ctx).Result()
				if err == nil && !strings.Contains(s, "cluster_state:ok") {
					err = fmt.Errorf("node %s not ready", n.Options().Addr)
				}
				return err
			})
			if err == nil {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("cluster not ready: %s", info)
}

// Sentinel starts a redis-server master and one Sentinel watching it as
// "cpush-test" on free loopback ports, stopped when t ends, and returns the
// URL cpush takes for them. It skips t where redis-server is missing.
func Sentinel(t testing.TB) string {
	t.Helper()
	server := NeedServer(t)
	master := startNode(t, server, filepath.Join(t.TempDir(), "master"), "--cluster-enabled", "no")
	dir := t.TempDir()
	port := freePort(t)
	conf := filepath.Join(dir, "sentinel.conf")
	body := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor cpush-test %s 1\n", port, dir, strings.Replace(master, ":", " ", 1))
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := runServer(t, server, port, conf, "--sentinel")
	return "redis://" + addr + "?master_name=cpush-test"
}
