package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
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

// httpHandler serves /healthz, /readyz and /metrics to anyone who can
// connect, and the HTTP API (/v1/), the job page (/jobs) and the asynq web
// UI (/monitoring/) behind the API tokens.
func httpHandler(cfg *config.Config, rdb redis.UniversalClient, reg *prometheus.Registry, api *httpapi.Server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := rdb.Ping(ctx).Err(); err != nil {
			http.Error(w, "redis: not answering", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	ui := asynqmon.New(asynqmon.Options{RootPath: monitoringPath, RedisConnOpt: sharedRedis{rdb}, ReadOnly: cfg.UIReadOnly})
	mux.Handle(monitoringPath+"/", api.Protect(ui))
	apiHandler := instrument(reg, api.Handler())
	mux.Handle("/v1/", apiHandler)
	mux.Handle("/jobs", apiHandler)
	mux.Handle("/jobs/", apiHandler)
	return mux
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
	tokens := make([]string, len(cfg.APITokens))
	for i, t := range cfg.APITokens {
		tokens[i] = t.Reveal()
	}
	return httpapi.Options{Jobs: jobsOptions(cfg), Tokens: tokens, Webhooks: cfg.WebhookSecret != "", Logger: log}
}

// serveHTTP serves the HTTP endpoints until ctx is done: on cfg.HTTPAddr,
// or on loopback when no API tokens are set (see listenAddr).
func serveHTTP(ctx context.Context, cfg *config.Config, rdb redis.UniversalClient, reg *prometheus.Registry, log *zap.Logger) error {
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
	return serveOn(ctx, ln, httpHandler(cfg, rdb, reg, api), log)
}

func serveOn(ctx context.Context, ln net.Listener, h http.Handler, log *zap.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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
