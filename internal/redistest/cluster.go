package redistest

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/faultnet"
)

// Cluster starts a Redis Cluster of three masters from redis-server on free
// loopback ports, stopped when t ends, and returns a client of it and its
// URL in the form cpush takes (CPUSH_REDIS_CLUSTER=true). It skips t where
// redis-server or redis-cli is missing.
func Cluster(t testing.TB) (*redis.ClusterClient, string) {
	t.Helper()
	NeedServer(t)
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli is not installed; .ci/run installs it")
	}
	var addrs []string
	for range 3 {
		// The node's config file is relative to its own data directory.
		// Its bus port is chosen as its port is: by default it is the
		// port plus 10,000, which falls in the kernel's ephemeral range,
		// where an outgoing connection may hold it (CI saw "Address
		// already in use" there).
		bus := strconv.Itoa(faultnet.FreePort(t))
		n := StartServer(t, ServerOptions{Args: []string{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-port", bus}})
		addrs = append(addrs, n.Addr())
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
