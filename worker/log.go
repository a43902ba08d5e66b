package worker

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// asynqLogger routes asynq's own log lines to zap. While Redis does not
// answer, asynq reports the same failure for every poll and every task: a
// warning or error whose first words were logged within logRepeat is
// counted, not logged, and the next one that is says how many were left
// out.
type asynqLogger struct {
	s       *zap.SugaredLogger
	repeats *repeats
}

func newAsynqLogger(l *zap.Logger) asynqLogger {
	return asynqLogger{s: l.Sugar(), repeats: &repeats{seen: map[string]*seen{}}}
}

func (l asynqLogger) Debug(args ...any) { l.s.Debug(args...) }
func (l asynqLogger) Info(args ...any)  { l.s.Info(args...) }
func (l asynqLogger) Warn(args ...any)  { l.log(l.s.Warnw, args) }
func (l asynqLogger) Error(args ...any) { l.log(l.s.Errorw, args) }
func (l asynqLogger) Fatal(args ...any) { l.s.Fatal(args...) }

func (l asynqLogger) log(write func(string, ...any), args []any) {
	msg := fmt.Sprint(args...)
	left, ok := l.repeats.note(msg, time.Now())
	switch {
	case !ok:
	case left > 0:
		write(msg, "left_out", left, "left_out_within", logRepeat.String())
	default:
		write(msg)
	}
}

// logRepeat is how long a warning or error of the same first words is
// counted rather than logged.
const logRepeat = 30 * time.Second

// repeats counts log lines by their first words.
type repeats struct {
	mu   sync.Mutex
	seen map[string]*seen
}

type seen struct {
	at   time.Time // when one was last logged
	left int       // left out since
}

// note records msg at now and reports whether to log it, and how many of
// its kind were left out before it.
func (r *repeats) note(msg string, now time.Time) (int, bool) {
	key := firstWords(msg, 4)
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.seen[key]
	if s != nil && now.Sub(s.at) < logRepeat {
		s.left++
		return 0, false
	}
	if len(r.seen) > 1000 {
		clear(r.seen)
	}
	left := 0
	if s != nil {
		left = s.left
	}
	r.seen[key] = &seen{at: now}
	return left, true
}

// firstWords returns the first n words of s.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

// logJob is the job_id field of a log line.
func logJob(id string) zap.Field { return zap.String("job_id", id) }
