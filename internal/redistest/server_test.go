package redistest_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/redistest"
)

func TestServer_KillRestart(t *testing.T) {
	tests := []struct {
		name      string
		fsync     string
		wantValue bool
	}{
		{"aof always keeps every answered write", "always", true},
		{"aof everysec keeps answered writes when only the process dies", "everysec", true},
		{"no persistence loses everything", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := redistest.StartServer(t, redistest.ServerOptions{AppendFsync: tt.fsync})
			c := s.Client(t)
			ctx := context.Background()
			if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
			pid := s.Pid()
			s.Kill()
			if err := c.Ping(ctx).Err(); err == nil {
				t.Fatal("PING answered after Kill")
			}
			s.Restart()
			if s.Pid() == pid {
				t.Error("Restart kept the old process")
			}
			got, err := c.Get(ctx, "k").Result()
			if tt.wantValue && got != "v" {
				t.Errorf("GET k after restart = %q, %v; want v", got, err)
			}
			if !tt.wantValue && !errors.Is(err, redis.Nil) {
				t.Errorf("GET k after restart = %q, %v; want nothing", got, err)
			}
		})
	}
}

func TestServer_PauseResume(t *testing.T) {
	s := redistest.StartServer(t, redistest.ServerOptions{})
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), ReadTimeout: 300 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	s.Pause()
	start := time.Now()
	err := c.Ping(context.Background()).Err()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("PING of a paused server = %v, want a timeout", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("PING failed after %s, want it to hang until the read timeout", d)
	}
	s.Resume()
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Errorf("PING after Resume = %v", err)
	}
}

func TestServer_Crash(t *testing.T) {
	s := redistest.StartServer(t, redistest.ServerOptions{AppendFsync: "everysec"})
	c := s.Client(t)
	ctx := context.Background()
	var last int64
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		n, err := c.Incr(ctx, "k").Result()
		if err != nil {
			t.Fatal(err)
		}
		last = n
	}
	dropped := s.Crash(time.Second)
	s.Restart()
	got, err := c.Get(ctx, "k").Int64()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("answered %d increments; %d bytes of AOF dropped; %d survived", last, dropped, got)
	// About a second of the two seconds' increments is lost.
	if dropped == 0 || got >= last || got < last/4 || got > last*3/4 {
		t.Errorf("after a crash losing 1s of 2s of increments k = %d of %d (%d bytes dropped), want about half", got, last, dropped)
	}
}
