// Package httpapi is cpush's HTTP API for producers that are not written
// in Go: create jobs (inline JSON, a streamed upload, or up to 1,000 small
// jobs in one batch), follow, list and
// cancel them, and fetch their failed targets; and the job page at /jobs.
// docs/openapi.yaml describes every endpoint, status and error code.
//
// Every endpoint wants a token from Options.Tokens. The API under /v1/
// takes "Authorization: Bearer <token>" only; the browser pages (/jobs and
// what Protect guards) also take HTTP Basic auth with the token as the
// password, which is what a browser can send. A state-changing request
// that a browser sent from another site is refused (403). With no tokens
// configured only clients on this host are served, under a loopback host
// name and not through a proxy, and the binary listens on a loopback
// address.
package httpapi

import (
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/cpush/cpush/jobs"
)

// Default limits of Options.
const (
	// DefaultMaxInlineTargets is the most targets of a JSON job.
	DefaultMaxInlineTargets = 10_000
	// DefaultMaxJSONBytes is the largest JSON body.
	DefaultMaxJSONBytes = 4 << 20
	// DefaultMaxStreamTargets is the most target lines of a streamed upload.
	DefaultMaxStreamTargets = 5_000_000
	// DefaultMaxUploads is the most streamed uploads served at once.
	DefaultMaxUploads = 2
)

// Limits of a streamed upload's lines.
const (
	// MaxLineBytes is the longest line of a streamed upload, the header
	// included.
	MaxLineBytes = 64 << 10
	// streamBytesPerTarget bounds the bytes a target line may take on
	// average, spaces and line ends included, for the body limit.
	streamBytesPerTarget = 160
)

// Options configure a Server. Zero fields take the defaults in parentheses.
type Options struct {
	// Jobs are the producer's options: prefix, TTL, limits, rate.
	Jobs jobs.Options
	// Tokens are the admin tokens: the API on every job, the job page and
	// what Protect guards. None, and no ProducerTokens: only loopback
	// clients are served.
	Tokens []string
	// MetricsToken, if set, is the bearer token ProtectMetrics wants.
	MetricsToken string
	// ProducerTokens may create jobs and read, list, cancel and export the
	// jobs they created, through the API only.
	ProducerTokens []string
	// Webhooks says the workers have a webhook secret; without it a job's
	// webhook_url is refused, since its webhook would never be sent.
	Webhooks bool
	// MaxInlineTargets is the most targets of a JSON job (10,000).
	MaxInlineTargets int
	// MaxJSONBytes is the largest JSON body (4 MiB).
	MaxJSONBytes int64
	// MaxStreamTargets is the most target lines of a streamed upload
	// (5,000,000); its body may take 160 bytes per target.
	MaxStreamTargets int
	// MaxUploads is the most streamed uploads served at once
	// (DefaultMaxUploads): each holds its unique targets in memory. One
	// more is answered 429 with Retry-After.
	MaxUploads int
	// MaxBatchBytes is the largest body of POST /v1/jobs:batch (16 MiB).
	MaxBatchBytes int64
	// Timeouts bound each request's reads and writes, per route.
	Timeouts Timeouts
	Logger   *zap.Logger // (no logging)
}

func (o *Options) setDefaults() {
	if o.MaxInlineTargets <= 0 {
		o.MaxInlineTargets = DefaultMaxInlineTargets
	}
	if o.MaxJSONBytes <= 0 {
		o.MaxJSONBytes = DefaultMaxJSONBytes
	}
	if o.MaxStreamTargets <= 0 {
		o.MaxStreamTargets = DefaultMaxStreamTargets
	}
	if o.MaxUploads <= 0 {
		o.MaxUploads = DefaultMaxUploads
	}
	o.Timeouts.setDefaults()
	if o.MaxBatchBytes <= 0 {
		o.MaxBatchBytes = DefaultMaxBatchBytes
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
}

// maxStreamBytes is the body limit of a streamed upload.
func (o *Options) maxStreamBytes() int64 {
	return MaxLineBytes + int64(o.MaxStreamTargets)*streamBytesPerTarget
}

// Server serves the API and the job page. It is safe for concurrent use.
type Server struct {
	client  *jobs.Client
	opts    Options
	auth    *auth
	page    *template.Template
	uploads chan struct{} // a token per streamed upload in progress
}

// New returns a Server on rdb; the caller keeps ownership of rdb.
func New(rdb redis.UniversalClient, opts Options) *Server {
	opts.setDefaults()
	return &Server{client: jobs.NewClient(rdb, opts.Jobs), opts: opts, auth: newAuth(opts.Tokens, opts.ProducerTokens, opts.MetricsToken),
		page: pageTemplate, uploads: make(chan struct{}, opts.MaxUploads)}
}

// Close releases the Server's resources; rdb stays open.
func (s *Server) Close() error { return s.client.Close() }

// Open reports whether no tokens are configured, so that only loopback
// clients are served.
func (s *Server) Open() bool { return s.auth.open() }

// Handler serves the API under /v1/ and the job pages at /jobs and
// /jobs/{id}, each behind the token check.
func (s *Server) Handler() http.Handler {
	api := http.NewServeMux()
	api.Handle("/v1/jobs", s.route(methods{http.MethodGet: s.list, http.MethodPost: s.create}))
	api.Handle("/v1/jobs:batch", s.route(methods{http.MethodPost: s.createBatch}))
	api.Handle("/v1/jobs/{id}", s.route(methods{http.MethodGet: s.status, http.MethodDelete: s.cancel}))
	api.Handle("/v1/jobs/{id}/failed", s.route(methods{http.MethodGet: s.failed}))
	api.Handle("/v1/", s.route(methods{}))
	mux := http.NewServeMux()
	mux.Handle("/v1/", s.auth.requireAPI(api))
	mux.Handle("GET /jobs", s.Protect(http.HandlerFunc(s.jobsPage)))
	mux.Handle("GET /jobs/{id}", s.Protect(http.HandlerFunc(s.jobPage)))
	mux.Handle("POST /jobs/{id}/cancel", s.Protect(http.HandlerFunc(s.cancelFromPage)))
	return s.WithDeadlines(mux)
}

// Protect puts h behind the token check of a browser page, such as the
// asynq web UI: a request without a valid token is asked for HTTP Basic
// auth. Its reads and writes are bounded by Timeouts.Read and Write.
func (s *Server) Protect(h http.Handler) http.Handler {
	return s.WithDeadlines(s.auth.requireBrowser(h))
}

// ProtectMetrics puts h, the metrics endpoint, behind Options.MetricsToken
// (a bearer token), when one is set; else h is served to anyone.
func (s *Server) ProtectMetrics(h http.Handler) http.Handler { return s.auth.requireMetrics(h) }

// handlerFunc is an API handler; the error it returns is written as the
// JSON error body.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// methods are a path's handlers by method.
type methods map[string]handlerFunc

// route serves a path's requests by method and writes handler errors.
type route struct {
	s *Server
	m methods
}

func (s *Server) route(m methods) route { return route{s: s, m: m} }

func (rt route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(rt.m) == 0 {
		writeError(w, apiErr(CodeNotFound, "", "no such endpoint: %s (see docs/openapi.yaml)", r.URL.Path))
		return
	}
	h, ok := rt.m[r.Method]
	if !ok {
		w.Header().Set("Allow", rt.allow())
		writeError(w, apiErr(CodeMethodNotAllowed, "", "%s is not allowed on %s", r.Method, r.URL.Path))
		return
	}
	if err := h(w, r); err != nil {
		rt.s.respondError(w, r, err)
	}
}

func (rt route) allow() string {
	names := make([]string, 0, len(rt.m))
	for name := range rt.m {
		names = append(names, name)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// respondError writes err as the JSON error body; an error that is not
// the client's is logged and answered 500 without its details.
func (s *Server) respondError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := asAPIError(err)
	if (!ok || e.Code == CodeRequestTimeout) && redisDown(err) && !bodyFailed(r) {
		s.opts.Logger.Warn("HTTP API request: Redis does not answer", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
		w.Header().Set("Retry-After", "5")
		e, ok = unavailable(), true
	}
	if !ok {
		s.opts.Logger.Error("HTTP API request failed", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
		e = apiErr(CodeInternal, "", "internal error; the server's log has the details")
	}
	writeError(w, e)
}
