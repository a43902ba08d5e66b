package pushsim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the simulated push service. It is an http.Handler: paths under
// /sim/ are its report and controls, every other request is an RPC call.
// It is safe for concurrent use.
type Server struct {
	cfg     Config // with defaults; the fields below override its knobs
	nonces  *nonceCache
	latency atomic.Int64 // time.Duration
	skew    atomic.Int64 // time.Duration: server clock minus real clock
	maxURL  atomic.Int64 // bytes; 0: no bound

	mu       sync.Mutex
	rng      *rand.Rand
	faults   faultRates
	quotas   quotas
	creds    []Credential
	stat     statModel
	offset   time.Duration // message clock minus real clock
	lastID   int64
	messages map[string]*message
	idem     map[string]idempotentPush // IdempotentToken -> first Push
	stats    counters
}

// faultRates are the run-time fault knobs.
type faultRates struct{ transient, ambiguous, throttle float64 }

// firstMessageID is one before the first MessageId the simulator hands out.
const firstMessageID = 500000

// handlers are the RPC actions the simulator has.
var handlers = map[string]func(*Server, caller, params) outcome{
	ActionPush:                     (*Server).push,
	ActionContinuouslyPush:         (*Server).continuouslyPush,
	ActionCompleteContinuouslyPush: (*Server).completeContinuouslyPush,
	ActionQueryPushStatByMsg:       (*Server).queryPushStatByMsg,
}

// New returns a simulator with cfg. It panics when cfg.Validate fails.
func New(cfg Config) *Server {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:    cfg,
		nonces: newNonceCache(),
		rng:    rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(cfg.Seed)>>1^0x9e3779b97f4a7c15)),
		faults: faultRates{cfg.TransientFaultRate, cfg.AmbiguousFaultRate, cfg.ThrottleRate},
		quotas: newQuotas(cfg),
		creds:  cfg.Credentials,
		stat:   statModel{cfg.ReceivedFraction, cfg.OpenedFraction, cfg.StatSettle},
		lastID: firstMessageID,
	}
	s.latency.Store(int64(cfg.Latency))
	s.maxURL.Store(int64(cfg.MaxURLBytes))
	s.resetState()
	return s
}

// ServeHTTP answers the /sim/ report and controls and the RPC API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/sim/") {
		s.serveSim(w, r)
		return
	}
	action, o := s.call(r)
	s.count(action, o)
	sleep(r.Context(), time.Duration(s.latency.Load()))
	write(w, r, newRequestID(), o)
}

// call carries out one RPC call and returns its action and outcome.
func (s *Server) call(r *http.Request) (string, outcome) {
	if o, ok := s.checkURL(r); !ok {
		return actionOf(r), o
	}
	p, err := readParams(r)
	if err != nil {
		// Docs silent on a request the gateway cannot parse; the
		// simulator answers the common InvalidParameter 400.
		return actionOf(r), fail(http.StatusBadRequest, CodeInvalidParameter, "Malformed request: %v.", err)
	}
	action := p.get("Action")
	c, o, ok := s.authenticate(r.Method, p)
	if !ok {
		return action, o
	}
	handle, ok := handlers[action]
	if !ok {
		// PageErrors: InvalidApi.NotFound 404 "Specified api is not
		// found,please check your url and method."
		return action, fail(http.StatusNotFound, CodeInvalidAPINotFound,
			"Specified api is not found, please check your url and method: %q (the simulator has Push, ContinuouslyPush, CompleteContinuouslyPush and QueryPushStatByMsg).", action)
	}
	if o, ok := c.permit(action); !ok {
		return action, o
	}
	if o, ok := s.admit(quotaKey{c.cred.Account, c.region, action}); !ok {
		return action, o
	}
	return action, handle(s, c, p)
}

// checkURL refuses a request URI over the bound. Docs silent on the
// gateway's URL limit; the simulator's bound is Config.MaxURLBytes (none by
// default), answered 414 CodeURITooLong.
func (s *Server) checkURL(r *http.Request) (outcome, bool) {
	limit := s.maxURL.Load()
	if n := int64(len(r.URL.RequestURI())); limit > 0 && n > limit {
		return fail(http.StatusRequestURITooLong, CodeURITooLong,
			"Request URI of %d bytes is over the simulator's bound of %d (Config.MaxURLBytes).", n, limit), false
	}
	return outcome{}, true
}

// actionOf returns the Action in r's query, for counting a refused call.
func actionOf(r *http.Request) string {
	return r.URL.Query().Get("Action")
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// SetFaults changes the fault rates (each 0..1; out of range is clamped).
func (s *Server) SetFaults(transient, ambiguous, throttle float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faultRates{clamp(transient), clamp(ambiguous), clamp(throttle)}
}

func clamp(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	return min(v, 1)
}

// SetLatency changes the latency added to each RPC call.
func (s *Server) SetLatency(d time.Duration) {
	s.latency.Store(int64(max(d, 0)))
}

// SetMaxURLBytes changes the bound on a request's URI (0: none).
func (s *Server) SetMaxURLBytes(n int) {
	s.maxURL.Store(int64(max(n, 0)))
}

// Reset forgets messages, deliveries, IdempotentTokens and stats. It keeps
// the configuration, the run-time knobs, the credentials, the clocks, the
// quotas' recent calls, the used nonces and the MessageId sequence (a
// MessageId is never handed out twice).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetState()
}

// resetState empties the messages, deliveries and stats; s.mu must be held
// (or s not yet shared).
func (s *Server) resetState() {
	s.messages = make(map[string]*message)
	s.idem = make(map[string]idempotentPush)
	s.stats = newCounters()
}
