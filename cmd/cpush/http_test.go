package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/cpush/cpush/config"
	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/internal/redistest"
)

// TestServeOn_IdleTimeout: a client that opens keep-alive connections and
// leaves them idle held each one (and its goroutine and buffers) for as
// long as it liked. The server now closes an idle connection after
// IdleTimeout.
func TestServeOn_IdleTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	go func() {
		done <- serveWith(ctx, ln, h, zap.NewNop(), serverTimeouts{readHeader: time.Second, idle: 300 * time.Millisecond})
	}()
	defer func() { cancel(); <-done }()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: read %v, want the server to close it", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the server closed an idle connection after %s, want about 300ms", took.Round(time.Millisecond))
	}
}

func TestNewHTTPServer_Timeouts(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), defaultServerTimeouts)
	if srv.ReadHeaderTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Errorf("ReadHeaderTimeout %s, IdleTimeout %s; want both set", srv.ReadHeaderTimeout, srv.IdleTimeout)
	}
}

// pingCounter counts the PINGs a Redis client sends.
type pingCounter struct{ n atomic.Int32 }

func (p *pingCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (p *pingCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (p *pingCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "ping" {
			p.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

// TestHTTPHandler_ReadyzCached: /readyz needs no token, and each request
// sent a PING to Redis: anyone who could connect could turn a flood of
// requests into a flood of Redis commands. The check is now cached for a
// second.
func TestHTTPHandler_ReadyzCached(t *testing.T) {
	rdb, _ := redistest.Namespace(t)
	pings := &pingCounter{}
	rdb.AddHook(pings)
	cfg := config.Default()
	api := httpapi.New(rdb, httpapi.Options{})
	defer api.Close()
	h := httpHandler(&cfg, rdb, prometheus.NewRegistry(), api, nil)
	for range 200 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /readyz = %d %s, want 200", rec.Code, rec.Body)
		}
	}
	if n := pings.n.Load(); n > 2 {
		t.Errorf("200 requests of /readyz sent %d PINGs to Redis, want at most 2 (one a second)", n)
	}
}

// TestHTTPHandler_MetricsToken: with CPUSH_METRICS_TOKEN set, /metrics
// wants it as a bearer token.
func TestHTTPHandler_MetricsToken(t *testing.T) {
	rdb, _ := redistest.Namespace(t)
	const tok = "metrics-token-0123456789abcdef0123"
	tests := []struct {
		name       string
		setting    string
		auth       string
		wantStatus int
	}{
		{"no setting, no token", "", "", 200},
		{"setting, no token", tok, "", 401},
		{"setting, wrong token", tok, "Bearer metrics-token-wrong", 401},
		{"setting, basic auth", tok, "Basic " + basicAuth("prometheus", tok), 401},
		{"setting, the token", tok, "Bearer " + tok, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.MetricsToken = config.Secret(tt.setting)
			api := httpapi.New(rdb, apiOptions(&cfg, zap.NewNop()))
			defer api.Close()
			h := httpHandler(&cfg, rdb, prometheus.NewRegistry(), api, nil)
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Errorf("GET /metrics = %d, want %d", rec.Code, tt.wantStatus)
			}
		})
	}
}
