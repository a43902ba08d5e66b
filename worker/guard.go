package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/push"
)

// guard stops calls that cannot succeed from using up retries or failing
// targets:
//
//   - a clock fault: the service refused this machine's timestamp
//     (push.ClassClock). Every call of the process waits; one probe per
//     Options.ClockProbe tries again, and the first call accepted ends it.
//   - an outage: most of an account's recent calls got no answer or a
//     server fault. The account's breaker, shared through Redis, opens: its
//     calls wait, without using a retry, then one probe at a time tries,
//     and a success closes it. Each trip after a failed probe doubles the
//     wait, up to breakerMax.
type guard struct {
	w *Worker

	mu      sync.Mutex
	clock   time.Time // when the clock fault began; zero: none
	probeAt time.Time // when the next clock probe may go
	logged  time.Time // when the clock fault was last logged
	windows map[string]*outcomes
	open    map[string]time.Time // account -> until when its breaker is open, as last seen
	checked map[string]time.Time // account -> when its breaker was last read from Redis
}

// Guard settings.
const (
	clockLog = 30 * time.Second
	// An account's breaker trips when, of its last breakerWindow calls in a
	// process, at least breakerMinCalls ended within breakerSpan and at
	// least breakerShare of those found the service down.
	breakerWindow   = 20
	breakerMinCalls = 10
	breakerShare    = 0.8
	breakerSpan     = 30 * time.Second
	breakerFirst    = 2 * time.Second
	breakerMax      = 30 * time.Second
	// breakerProbe bounds a probe's call, after which another may go.
	breakerProbe = 15 * time.Second
)

func newGuard(w *Worker) *guard {
	return &guard{w: w, windows: map[string]*outcomes{}, open: map[string]time.Time{}, checked: map[string]time.Time{}}
}

// admit says whether a call of app may go now; a *WaitError when it must
// wait out a clock fault or an open breaker.
func (g *guard) admit(ctx context.Context, app App) error {
	if err := g.admitClock(); err != nil {
		return err
	}
	if !g.isOpen(ctx, app.Account) {
		return nil
	}
	decision, wait, err := g.w.store.AdmitBreaker(ctx, app.Account, time.Now(), breakerProbe)
	switch {
	case err != nil:
		return err
	case decision == store.BreakerClosed:
		g.setOpen(app.Account, time.Time{})
		return nil
	case decision == store.BreakerProbe:
		g.w.opts.Logger.Info("the push service seemed down: probing it", zap.String("account", app.Account))
		return nil
	}
	return &WaitError{Delay: wait + jitter(wait), Reason: "the push service is down for " + app.Account + " (breaker open)"}
}

func (g *guard) admitClock() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.clock.IsZero() {
		return nil
	}
	now := time.Now()
	if now.Before(g.probeAt) {
		return &WaitError{Delay: g.probeAt.Sub(now) + jitter(time.Second), Reason: "the service refuses this machine's clock"}
	}
	g.probeAt = now.Add(g.w.opts.ClockProbe) // this call is the probe
	return nil
}

// record notes how a call of app ended and returns the error its caller
// must handle: a *WaitError, wrapping it, when the failure is a clock fault
// or finds the service down.
func (g *guard) record(ctx context.Context, app App, err error) error {
	e, ok := push.AsError(err)
	switch {
	case err == nil:
		g.clockOK()
		g.outcome(ctx, app, false)
		return nil
	case !ok:
		return err
	case e.Class == push.ClassClock:
		g.clockFault(e)
		return &WaitError{Delay: g.w.opts.ClockProbe, Reason: "the service refuses this machine's clock", Err: err}
	}
	g.clockOK() // the service answered, so the clock is not the fault
	if !e.Outage() {
		g.outcome(ctx, app, false)
		return err
	}
	if until := g.outcome(ctx, app, true); !until.IsZero() {
		return &WaitError{Delay: time.Until(until) + jitter(time.Second), Reason: "the push service is down (breaker open)", Err: err}
	}
	return err
}

// jitter is up to a tenth of d, at least 100ms: the tasks of a fleet do not
// come back at once.
func jitter(d time.Duration) time.Duration {
	return backoff(0, max(d/10, 100*time.Millisecond), max(d/10, 100*time.Millisecond))
}

func (g *guard) clockFault(e *push.Error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if g.clock.IsZero() {
		g.clock = now
		g.w.metrics.clockFault.Set(1)
	}
	g.probeAt = now.Add(g.w.opts.ClockProbe)
	if now.Sub(g.logged) >= clockLog {
		g.logged = now
		g.w.opts.Logger.Error("the push service refuses this machine's clock (check NTP): every call waits until it is accepted",
			zap.String("code", e.Code), zap.Duration("since", now.Sub(g.clock)), zap.String("message", e.Message))
	}
}

func (g *guard) clockOK() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.clock.IsZero() {
		return
	}
	g.w.opts.Logger.Info("the push service accepts this machine's clock again", zap.Duration("after", time.Since(g.clock)))
	g.clock = time.Time{}
	g.w.metrics.clockFault.Set(0)
}

// ready reports a clock fault, for the readiness probe.
func (g *guard) ready() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.clock.IsZero() {
		return fmt.Errorf("the push service refuses this machine's clock since %s", g.clock.UTC().Format(time.RFC3339))
	}
	return nil
}

// outcome records whether a call of app found the service down, trips the
// account's breaker when most recent calls did, and closes it on a
// success. It returns until when the breaker is open (zero: closed).
func (g *guard) outcome(ctx context.Context, app App, down bool) time.Time {
	now := time.Now()
	g.mu.Lock()
	win := g.windows[app.Account]
	if win == nil {
		win = &outcomes{}
		g.windows[app.Account] = win
	}
	win.add(now, down)
	trip := down && win.tripped(now)
	until, open := g.open[app.Account]
	g.mu.Unlock()
	log := g.w.opts.Logger.With(zap.String("account", app.Account))
	switch {
	case !down && open:
		if err := g.w.store.CloseBreaker(ctx, app.Account); err != nil {
			log.Warn("closing the breaker", zap.Error(err))
		}
		g.setOpen(app.Account, time.Time{})
		log.Info("the push service answers again: breaker closed")
		return time.Time{}
	case down && (trip || open):
		u, err := g.w.store.TripBreaker(ctx, app.Account, now, breakerFirst, breakerMax)
		if err != nil {
			log.Warn("opening the breaker", zap.Error(err))
			return until
		}
		if !open {
			log.Error("most calls find the push service down: breaker open, calls wait", zap.Time("until", u))
		}
		g.setOpen(app.Account, u)
		return u
	}
	return time.Time{}
}

func (g *guard) setOpen(account string, until time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until.IsZero() {
		delete(g.open, account)
		g.w.metrics.breaker.WithLabelValues(account).Set(0)
		return
	}
	g.open[account] = until
	g.w.metrics.breaker.WithLabelValues(account).Set(1)
}

// breakerRead is how often a process reads an account's breaker from
// Redis, to learn that other processes opened it without a call of its own
// failing first.
const breakerRead = time.Second

// isOpen reports whether account's breaker is open, as this process last
// saw it or read it.
func (g *guard) isOpen(ctx context.Context, account string) bool {
	now := time.Now()
	g.mu.Lock()
	_, open := g.open[account]
	stale := now.Sub(g.checked[account]) >= breakerRead
	if stale {
		g.checked[account] = now
	}
	g.mu.Unlock()
	if open || !stale {
		return open
	}
	until, err := g.w.store.BreakerOpenUntil(ctx, account)
	if err != nil || until.IsZero() {
		return false
	}
	g.setOpen(account, until)
	return true
}

// outcomes are an account's last calls in this process.
type outcomes struct {
	at   [breakerWindow]time.Time
	down [breakerWindow]bool
	n    int // calls recorded in all
}

func (o *outcomes) add(at time.Time, down bool) {
	i := o.n % breakerWindow
	o.at[i], o.down[i] = at, down
	o.n++
}

// tripped reports whether most recent calls found the service down.
func (o *outcomes) tripped(now time.Time) bool {
	calls, down := 0, 0
	for i := range min(o.n, breakerWindow) {
		if now.Sub(o.at[i]) > breakerSpan {
			continue
		}
		calls++
		if o.down[i] {
			down++
		}
	}
	return calls >= breakerMinCalls && float64(down) >= breakerShare*float64(calls)
}

// asWait reports whether err is a *WaitError.
func asWait(err error) bool {
	var w *WaitError
	return errors.As(err, &w)
}
