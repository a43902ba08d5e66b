package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/cpush/cpush/httpapi"
)

// TestServer_UploadsAtOnce: each streamed upload holds its unique targets
// in memory (5,000,000 aliases of 128 bytes: some 650 MB), in the process
// that pushes. Uploads past the bound are answered 429 with Retry-After
// instead of taking more memory; once one ends, the next is taken.
func TestServer_UploadsAtOnce(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}, MaxUploads: 2}})
	var open []*io.PipeWriter
	done := make(chan *http.Response, 2)
	for i := range 2 {
		pr, pw := io.Pipe()
		open = append(open, pw)
		go func() { done <- e.do(http.MethodPost, "/v1/jobs", httpapi.MediaStream, pr) }()
		fmt.Fprintln(pw, streamHeader)
		fmt.Fprintln(pw, devices(fmt.Sprintf("o%d", i), 1)[0]) // read by the server: the upload is in progress
	}
	time.Sleep(300 * time.Millisecond) // both handlers have started
	resp := e.postStream(streamHeader, devices("x", 10)...)
	wantError(t, resp, http.StatusTooManyRequests, httpapi.CodeTooManyRequests, "")
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After = %q, want a number of seconds", resp.Header.Get("Retry-After"))
	}
	t.Run("a JSON job is not an upload", func(t *testing.T) {
		decode[httpapi.Created](t, e.postJSON(job(nil)), http.StatusAccepted)
	})
	for _, pw := range open {
		pw.Close()
	}
	for range 2 {
		decode[httpapi.Created](t, <-done, http.StatusAccepted)
	}
	t.Run("the next upload once they ended", func(t *testing.T) {
		decode[httpapi.Created](t, e.postStream(streamHeader, devices("y", 10)...), http.StatusAccepted)
	})
}
