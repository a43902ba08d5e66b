package httpapi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// Timeouts bound each request's reads and writes, per route, with
// http.ResponseController: a slow client holds a connection, a goroutine
// and Redis reads no longer than its route allows. Zero fields take the
// defaults in parentheses.
type Timeouts struct {
	// Read bounds reading a request's body, a streamed upload's excepted
	// (30s).
	Read time.Duration
	// Write bounds writing an answer, a failed-target listing's excepted
	// (30s).
	Write time.Duration
	// UploadIdle bounds each wait for more of a streamed upload (1m).
	UploadIdle time.Duration
	// Upload bounds a whole streamed upload (1h).
	Upload time.Duration
	// Export bounds writing a failed-target listing (10m).
	Export time.Duration
}

func (t *Timeouts) setDefaults() {
	t.Read = orDuration(t.Read, 30*time.Second)
	t.Write = orDuration(t.Write, 30*time.Second)
	t.UploadIdle = orDuration(t.UploadIdle, time.Minute)
	t.Upload = orDuration(t.Upload, time.Hour)
	t.Export = orDuration(t.Export, 10*time.Minute)
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// WithDeadlines sets the read and write deadlines of every request of h
// to Timeouts.Read and Timeouts.Write; the routes of the API that take
// longer extend their own. The server of the handler should set no
// ReadTimeout or WriteTimeout, and a deadline that h's handler left is
// reset by the next request on the connection.
func (s *Server) WithDeadlines(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.deadlines(w, s.opts.Timeouts.Read, s.opts.Timeouts.Write)
		h.ServeHTTP(w, r)
	})
}

// deadlines sets w's read and write deadlines to read and write from now.
// A ResponseWriter that cannot (a test's recorder) is left as it is.
func (s *Server) deadlines(w http.ResponseWriter, read, write time.Duration) {
	rc := http.NewResponseController(w)
	now := time.Now()
	_ = rc.SetReadDeadline(now.Add(read))
	_ = rc.SetWriteDeadline(now.Add(write))
}

// writeDeadline sets w's write deadline to d from now.
func writeDeadline(w http.ResponseWriter, d time.Duration) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
}

// idleReader is a streamed upload's body: each Read may wait idle for more,
// and all of them end by the upload's deadline.
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
	end  time.Time
}

func newIdleReader(w http.ResponseWriter, r io.Reader, t Timeouts) *idleReader {
	return &idleReader{r: r, rc: http.NewResponseController(w), idle: t.UploadIdle, end: time.Now().Add(t.Upload)}
}

func (ir *idleReader) Read(p []byte) (int, error) {
	deadline := time.Now().Add(ir.idle)
	if deadline.After(ir.end) {
		deadline = ir.end
	}
	_ = ir.rc.SetReadDeadline(deadline)
	return ir.r.Read(p)
}

// isTimeout reports whether err is a read that passed its deadline.
func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }
