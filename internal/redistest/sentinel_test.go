package redistest_test

import (
	"context"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/redistest"
)

func TestSentinels_Failover(t *testing.T) {
	s := redistest.StartSentinels(t, redistest.ServerOptions{})
	c := s.Client(t)
	ctx := context.Background()
	if err := c.Set(ctx, "k", "before", 0).Err(); err != nil {
		t.Fatal(err)
	}
	old := s.Master()
	if old != s.Servers[0].Addr() {
		t.Fatalf("master = %s, want the first server %s", old, s.Servers[0].Addr())
	}
	// Let the replica take the write before the failover.
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	next := s.Failover()
	t.Logf("failover took %s", time.Since(start).Round(time.Millisecond))
	if next == old || s.Master() != next {
		t.Fatalf("after Failover the master is %s (returned %s), want the replica %s", s.Master(), next, s.Servers[1].Addr())
	}
	var err error
	for range 50 { // the client learns the new master from the sentinels
		if err = c.Set(ctx, "k2", "after", 0).Err(); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("writing through the failover client after the failover: %v", err)
	}
	if got, _ := c.Get(ctx, "k").Result(); got != "before" {
		t.Errorf("GET k after failover = %q, want before", got)
	}
	if got := s.URL(); got == "" || len(s.Sentinels) != 3 {
		t.Errorf("URL = %q with %d sentinels", got, len(s.Sentinels))
	}
}
