package pushsim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Server is the simulated push service. It is an http.Handler: paths under
// /sim/ are its report and controls, every other request is an RPC call.
// It is safe for concurrent use.
type Server struct {
	cfg     Config // with defaults; the fields below override its knobs
	nonces  *nonceCache
	latency atomic.Int64 // time.Duration

	mu       sync.Mutex
	rng      *rand.Rand
	faults   faultRates
	limiters map[string]*rate.Limiter
	offset   time.Duration // message clock minus real clock
	lastID   int64
	messages map[string]*message
	stats    counters
}

// faultRates are the run-time fault knobs.
type faultRates struct{ transient, ambiguous, throttle float64 }

// firstMessageID is one before the first MessageId the simulator hands out.
const firstMessageID = 500000

// New returns a simulator with cfg. It panics when cfg.Validate fails.
func New(cfg Config) *Server {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:      cfg,
		nonces:   newNonceCache(),
		rng:      rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(cfg.Seed)>>1^0x9e3779b97f4a7c15)),
		faults:   faultRates{cfg.TransientFaultRate, cfg.AmbiguousFaultRate, cfg.ThrottleRate},
		limiters: make(map[string]*rate.Limiter),
		lastID:   firstMessageID,
	}
	s.latency.Store(int64(cfg.Latency))
	for action, qps := range cfg.QPS {
		s.setLimiter(action, qps, cfg.Burst[action])
	}
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
	p, err := readParams(r)
	if err != nil {
		return actionOf(r), invalid("Malformed request: %v.", err)
	}
	action := p.get("Action")
	if o, ok := s.authenticate(r.Method, p); !ok {
		return action, o
	}
	handle, ok := handlers[action]
	if !ok {
		return action, fail(http.StatusNotFound, CodeInvalidAction,
			"Specified api %q is not found; the simulator has Push, ContinuouslyPush and CompleteContinuouslyPush.", action)
	}
	if o, ok := s.admit(action); !ok {
		return action, o
	}
	return action, handle(s, p)
}

// actionOf returns the Action in r's query, for counting a malformed call.
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

// Advance moves the message clock forward by d (expiry and creation times).
// Signature timestamps are checked against the real clock all the same.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// Now returns the message clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// now returns the message clock; s.mu must be held.
func (s *Server) now() time.Time {
	return time.Now().Add(s.offset)
}

// Reset forgets messages, deliveries and stats. It keeps the
// configuration, the run-time knobs, the message clock, the used nonces
// and the MessageId sequence (a MessageId is never handed out twice).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetState()
}

// resetState empties the messages, deliveries and stats; s.mu must be held
// (or s not yet shared).
func (s *Server) resetState() {
	s.messages = make(map[string]*message)
	s.stats = newCounters()
}
