package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/internal/store"
)

// TestStore_RequireReplicas: with replicas required, a call's in-flight
// mark is acknowledged only once a replica holds it; with fewer replicas
// than required (none answering, or too few) the mark fails with
// ErrNotReplicated within the WAIT timeout, so that its call never goes
// out on a write a failover could lose.
func TestStore_RequireReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two redis-server processes")
	}
	t.Parallel()
	master := redistest.StartServer(t, redistest.ServerOptions{})
	replica := redistest.StartServer(t, redistest.ServerOptions{
		Args: []string{"--replicaof", "127.0.0.1", strings.TrimPrefix(master.Addr(), "127.0.0.1:")}})
	ctx := context.Background()
	rdb := master.Client(t)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		info, err := rdb.Info(ctx, "replication").Result()
		if err == nil && strings.Contains(info, "connected_slaves:1") && strings.Contains(info, "state=online") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica did not come online: %s %v", info, err)
		}
	}
	s := store.New(rdb, "rr")
	mark := func(replicas int) (time.Duration, error) {
		s.RequireReplicas(replicas)
		start := time.Now()
		_, err := s.MarkInFlight(ctx, "j1", 3, 0, "t")
		return time.Since(start), err
	}
	if took, err := mark(1); err != nil {
		t.Fatalf("mark with 1 replica required and 1 online: %v", err)
	} else if took > 500*time.Millisecond {
		t.Errorf("mark took %s with its replica online", took)
	}
	if v, err := replica.Client(t).HGet(ctx, s.Keys().Ambiguous("j1"), "f:3").Result(); err != nil || v != "t" {
		t.Errorf("the replica holds the mark as %q (%v), want it as soon as the mark returns", v, err)
	}
	if took, err := mark(2); !errors.Is(err, store.ErrNotReplicated) || took < 900*time.Millisecond || took > 3*time.Second {
		t.Errorf("mark with 2 replicas required and 1 online = %v after %s; want ErrNotReplicated after the 1s WAIT", err, took)
	}
	replica.Pause()
	defer replica.Resume()
	if _, err := mark(1); !errors.Is(err, store.ErrNotReplicated) {
		t.Errorf("mark with its only replica paused = %v, want ErrNotReplicated", err)
	}
	if _, err := mark(0); err != nil {
		t.Errorf("mark with no replica required = %v, want nil", err)
	}
}
