package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynqmon"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/cpush/cpush/config"
	"github.com/cpush/cpush/httpapi"
)

// monitoringPath is where the asynq web UI is mounted.
const monitoringPath = "/monitoring"

// sharedRedis hands asynqmon the process's own Redis client.
type sharedRedis struct{ c redis.UniversalClient }

func (s sharedRedis) MakeRedisClient() any { return s.c }

// httpHandler serves /healthz and /readyz to anyone who can connect,
// /metrics too unless a metrics token is set, and the HTTP API (/v1/), the
// job page (/jobs) and the asynq web UI (/monitoring/) behind the API
// tokens.
//
// ready, when not nil, is asked too by /readyz: a worker that cannot push
// (the service refuses its clock) is not ready.
func httpHandler(cfg *config.Config, rdb redis.UniversalClient, reg *prometheus.Registry, api *httpapi.Server, ready func() error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	redisReady := &readiness{rdb: rdb}
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := redisReady.check(r.Context()); err != nil {
			http.Error(w, "redis: not answering", http.StatusServiceUnavailable)
			return
		}
		if ready != nil {
			if err := ready(); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", api.ProtectMetrics(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	ui := asynqmon.New(asynqmon.Options{RootPath: monitoringPath, RedisConnOpt: sharedRedis{rdb}, ReadOnly: cfg.UIReadOnly})
	mux.Handle(monitoringPath+"/", api.Protect(ui))
	if cfg.PProf {
		mux.Handle(pprofPath, api.Protect(pprofHandler()))
	}
	apiHandler := instrument(reg, api.Handler())
	mux.Handle("/v1/", apiHandler)
	mux.Handle("/jobs", apiHandler)
	mux.Handle("/jobs/", apiHandler)
	return mux
}

// pprofPath is where Go's runtime profiles are served, with CPUSH_PPROF.
const pprofPath = "/debug/pprof/"

// maxProfileSeconds bounds the length of a CPU profile or trace.
const maxProfileSeconds = 600

// pprofHandler serves Go's runtime profiles: the index and the named
// profiles (heap, goroutine, allocs, block, mutex), a CPU profile
// (profile?seconds=N), an execution trace and symbol lookups. The command
// line is not served. A CPU profile or trace outlasts the admin routes'
// 30 s write deadline, so the deadline is set to its length and a minute.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(pprofPath, pprof.Index)
	mux.HandleFunc(pprofPath+"profile", pprof.Profile)
	mux.HandleFunc(pprofPath+"symbol", pprof.Symbol)
	mux.HandleFunc(pprofPath+"trace", pprof.Trace)
	mux.HandleFunc(pprofPath+"cmdline", http.NotFound)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, err := strconv.Atoi(r.URL.Query().Get("seconds")); err == nil && s > 0 {
			if s > maxProfileSeconds {
				http.Error(w, fmt.Sprintf("seconds is at most %d", maxProfileSeconds), http.StatusBadRequest)
				return
			}
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Duration(s)*time.Second + time.Minute))
		}
		mux.ServeHTTP(w, r)
	})
}

// readyFor is how long a Redis check of /readyz stands: the endpoint needs
// no token, and must not turn a flood of requests into one of commands.
const readyFor = time.Second

// readiness is /readyz's Redis check, made at most once per readyFor.
type readiness struct {
	rdb     redis.UniversalClient
	mu      sync.Mutex
	checked time.Time
	err     error
}

// check returns the result of the last PING if it is recent, else pings.
// Concurrent requests wait for one PING.
func (rd *readiness) check(ctx context.Context) error {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if time.Since(rd.checked) < readyFor {
		return rd.err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	rd.err = rd.rdb.Ping(ctx).Err()
	rd.checked = time.Now()
	return rd.err
}

// MetricHTTPRequests and MetricHTTPDuration count and time the requests of
// the HTTP API and the job page, by method and status code.
const (
	MetricHTTPRequests = "cpush_http_requests_total"
	MetricHTTPDuration = "cpush_http_request_duration_seconds"
)

// instrument counts and times h's requests on reg.
func instrument(reg *prometheus.Registry, h http.Handler) http.Handler {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricHTTPRequests,
		Help: "Requests of the HTTP API and the job page by method and status code."}, []string{"method", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: MetricHTTPDuration,
		Help: "Time to answer a request of the HTTP API or the job page.", Buckets: prometheus.DefBuckets}, []string{"method"})
	reg.MustRegister(requests, duration)
	for _, method := range []string{"get", "post", "delete"} {
		requests.WithLabelValues(method, "500") // at zero, so that the 5xx alert sees the first
	}
	return promhttp.InstrumentHandlerCounter(requests, promhttp.InstrumentHandlerDuration(duration, h))
}

// apiOptions are the HTTP API's options from cfg.
func apiOptions(cfg *config.Config, log *zap.Logger) httpapi.Options {
	return httpapi.Options{Jobs: jobsOptions(cfg), Tokens: reveal(cfg.APITokens), ProducerTokens: reveal(cfg.ProducerTokens),
		MetricsToken: cfg.MetricsToken.Reveal(),
		Webhooks:     cfg.WebhookSecret != "", MaxUploads: cfg.MaxUploads, Logger: log}
}

func reveal(secrets []config.Secret) []string {
	out := make([]string, len(secrets))
	for i, s := range secrets {
		out[i] = s.Reveal()
	}
	return out
}

// serveHTTP serves the HTTP endpoints until ctx is done: on cfg.HTTPAddr,
// or on loopback when no API tokens are set (see listenAddr).
func serveHTTP(ctx context.Context, cfg *config.Config, rdb redis.UniversalClient, reg *prometheus.Registry, log *zap.Logger, ready func() error) error {
	if cfg.HTTPAddr == "" {
		<-ctx.Done()
		return nil
	}
	addr := listenAddr(cfg, log)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("HTTP on %s (CPUSH_HTTP_ADDR): %w", addr, err)
	}
	api := httpapi.New(rdb, apiOptions(cfg, log))
	defer api.Close()
	return serveOn(ctx, ln, api.WithDeadlines(httpHandler(cfg, rdb, reg, api, ready)), log)
}

// serverTimeouts are the connection-wide timeouts of the HTTP server; each
// route bounds its own reads and writes (httpapi.Timeouts).
type serverTimeouts struct {
	readHeader time.Duration // to read a request's headers
	idle       time.Duration // a keep-alive connection waits for its next request
}

var defaultServerTimeouts = serverTimeouts{readHeader: 10 * time.Second, idle: 60 * time.Second}

// newHTTPServer returns the server of h. It sets no ReadTimeout or
// WriteTimeout: a streamed upload or a failed-target listing takes longer
// than any other request, so the routes set their own deadlines.
func newHTTPServer(h http.Handler, t serverTimeouts) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: t.readHeader, IdleTimeout: t.idle}
}

func serveOn(ctx context.Context, ln net.Listener, h http.Handler, log *zap.Logger) error {
	return serveWith(ctx, ln, h, log, defaultServerTimeouts)
}

func serveWith(ctx context.Context, ln net.Listener, h http.Handler, log *zap.Logger, t serverTimeouts) error {
	srv := newHTTPServer(h, t)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	log.Info("HTTP listening", zap.String("addr", ln.Addr().String()))
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
