package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
)

// listAll pages through every recent job with pages of limit.
func listAll(t *testing.T, c *jobs.Client, limit int) (ids []string, pages int) {
	t.Helper()
	cursor := ""
	for {
		p, err := c.List(context.Background(), cursor, limit)
		if err != nil {
			t.Fatalf("List(%q, %d): %v", cursor, limit, err)
		}
		if len(p.Jobs) > limit {
			t.Fatalf("List gave %d jobs, want at most %d", len(p.Jobs), limit)
		}
		for _, st := range p.Jobs {
			ids = append(ids, st.ID)
		}
		pages++
		if p.Next == "" {
			return ids, pages
		}
		cursor = p.Next
	}
}

func TestClient_List(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.Namespace(t)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
	defer c.Close()
	keys := jobs.Keys{Prefix: prefix}
	base := int(time.Now().Add(-time.Minute).UnixMilli()) // within the TTL, that enqueues trim
	var want []string                                     // newest first
	for i := range 7 {
		j := contentJob(10)
		j.ID = fmt.Sprintf("job-%d", i)
		if _, err := c.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
		// Distinct, increasing times; List must not depend on the clock.
		rdb.ZAdd(ctx, keys.Recent(), redis.Z{Score: float64(base + i), Member: j.ID})
		want = append([]string{j.ID}, want...)
	}
	tests := []struct {
		name      string
		limit     int
		wantPages int
	}{
		{"one page", 10, 1},
		{"exact page", 7, 1}, // no empty page after it: List looks one job ahead
		{"pages of two", 2, 4},
		{"pages of one", 1, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pages := listAll(t, c, tt.limit)
			if !slices.Equal(got, want) || pages != tt.wantPages {
				t.Errorf("listed %v in %d pages, want %v in %d", got, pages, want, tt.wantPages)
			}
		})
	}
	t.Run("same millisecond", func(t *testing.T) {
		for _, id := range want {
			rdb.ZAdd(ctx, keys.Recent(), redis.Z{Score: 5000, Member: id})
		}
		got, _ := listAll(t, c, 3)
		tied := slices.Clone(want)
		slices.Sort(tied)
		slices.Reverse(tied)
		if !slices.Equal(got, tied) {
			t.Errorf("listed %v, want %v", got, tied)
		}
	})
	t.Run("expired jobs are skipped and forgotten", func(t *testing.T) {
		rdb.ZAdd(ctx, keys.Recent(), redis.Z{Score: 6000, Member: "expired"})
		got, _ := listAll(t, c, 100)
		if slices.Contains(got, "expired") || len(got) != len(want) {
			t.Errorf("listed %v, want the %d live jobs", got, len(want))
		}
		if rdb.ZScore(ctx, keys.Recent(), "expired").Err() != redis.Nil {
			t.Errorf("the expired job is still in the recent set")
		}
	})
	t.Run("bad cursor", func(t *testing.T) {
		for _, cur := range []string{
			"!!", "bm9jb2xvbg", "MTIzOg", // not base64, "nocolon", "123:"
			"LTU6eA", "KzU6eA", "MDEyMzp4", // "-5:x", "+5:x", "0123:x": not a time position.cursor writes
			"MTIzOmF", "MTIzOmE=", // "123:a" with stray bits or padding: not the canonical encoding
			"MTIzOmEgYg", // "123:a b": not a job ID
		} {
			if _, err := c.List(ctx, cur, 5); !errors.Is(err, jobs.ErrBadCursor) {
				t.Errorf("List(%q) = %v, want ErrBadCursor", cur, err)
			}
		}
	})
}

func TestClient_ListOwned(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.Namespace(t)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
	defer c.Close()
	keys := jobs.Keys{Prefix: prefix}
	base := int(time.Now().Add(-time.Minute).UnixMilli()) // within the TTL, that enqueues trim
	var want []string                                     // a's, newest first
	for i := range 9 {
		j := contentJob(10)
		j.ID = fmt.Sprintf("job-%d", i)
		j.Owner = []string{"a", "b", ""}[i%3]
		if _, err := c.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
		rdb.ZAdd(ctx, keys.Recent(), redis.Z{Score: float64(base + i), Member: j.ID})
		if j.Owner == "a" {
			want = append([]string{j.ID}, want...)
		}
	}
	var got []string
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		p, err := c.ListOwned(ctx, "a", cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range p.Jobs {
			got = append(got, st.ID)
			if st.Owner != "a" {
				t.Errorf("job %s of owner %q listed for a", st.ID, st.Owner)
			}
		}
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListOwned(a) = %v, want %v", got, want)
	}
	if owner, err := c.Owner(ctx, "job-1"); owner != "b" || err != nil {
		t.Errorf("Owner(job-1) = %q, %v; want b", owner, err)
	}
	if _, err := c.Owner(ctx, "nope"); !errors.Is(err, jobs.ErrJobNotFound) {
		t.Errorf("Owner(nope) = %v, want ErrJobNotFound", err)
	}
}

// TestClient_EnqueueTrimsRecent: the recent-jobs set grew by one entry per
// job forever. Each enqueue drops the entries older than any job's keys
// can live: the job TTL plus the longest start delay.
func TestClient_EnqueueTrimsRecent(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.Namespace(t)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix, JobTTL: 200 * time.Millisecond, MaxStartDelay: time.Millisecond})
	defer c.Close()
	old, err := c.Enqueue(ctx, contentJob(10))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	recent, err := c.Enqueue(ctx, contentJob(10))
	if err != nil {
		t.Fatal(err)
	}
	got, err := rdb.ZRange(ctx, jobs.Keys{Prefix: prefix}.Recent(), 0, -1).Result()
	if err != nil || !slices.Equal(got, []string{recent.ID}) {
		t.Errorf("recent set = %v (%v), want only %s: %s is past every TTL", got, err, recent.ID, old.ID)
	}
}
