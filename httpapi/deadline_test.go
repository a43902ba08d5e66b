package httpapi_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/jobs"
)

// TestServer_SlowReaderOnFailed: a client asks for a large failed-target
// listing and reads nothing. The handler held the connection and its Redis
// reads for as long as the client liked; the listing's write deadline now
// cuts it, and the client that comes back later gets a cut body.
func TestServer_SlowReaderOnFailed(t *testing.T) {
	if testing.Short() {
		t.Skip("fails 100,000 targets")
	}
	const n = 100_000
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}, Timeouts: httpapi.Timeouts{Export: 500 * time.Millisecond}}, worker: true})
	header := fmt.Sprintf(`{"app_key": %d, "target": "DEVICE", "message_id": "999999"}`, testAppKey) // unknown: every chunk fails
	created := decode[httpapi.Created](t, e.postStream(header, devices("f", n)...), http.StatusAccepted)
	if st := e.wait(created.ID, 60*time.Second); st.FailedTotal != n {
		t.Fatalf("job ended with %d failed, want %d", st.FailedTotal, n)
	}
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return errors.Join(err, serr)
	}}
	conn, err := d.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /v1/jobs/%s/failed HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", created.ID, token)
	time.Sleep(2 * time.Second) // reading nothing, past the deadline
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	lines, err := countLines(resp.Body)
	if err == nil || lines >= n {
		t.Errorf("a reader that stalled past the deadline read %d of %d lines, err %v; want the listing cut", lines, n, err)
	}
}

func countLines(r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}

// TestServer_TrickledUpload: a streamed upload that stops sending is cut
// after the idle read timeout instead of holding its upload slot and its
// staged chunks forever; nothing is left staged.
func TestServer_TrickledUpload(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}, Timeouts: httpapi.Timeouts{UploadIdle: 300 * time.Millisecond}}})
	pr, pw := io.Pipe()
	go func() {
		fmt.Fprintln(pw, `{"id":"trickle","app_key":23267207,"target":"DEVICE","message":{"title":"t","body":"b"}}`)
		fmt.Fprintln(pw, devices("t", 1)[0])
		time.Sleep(3 * time.Second) // then nothing
		pw.Close()
	}()
	start := time.Now()
	resp := e.do(http.MethodPost, "/v1/jobs", httpapi.MediaStream, pr)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("a stalled upload was answered after %s, want it cut after the idle timeout", took.Round(time.Millisecond))
	}
	wantError(t, resp, http.StatusRequestTimeout, httpapi.CodeRequestTimeout, "")
	wantError(t, e.do(http.MethodGet, "/v1/jobs/trickle", "", nil), http.StatusNotFound, httpapi.CodeNotFound, "")
}

// TestServer_UploadKeepsItsClaim: an upload that outlives the staging TTL
// keeps its job ID: another job with the same ID is refused while the
// upload goes on, and the upload is accepted.
func TestServer_UploadKeepsItsClaim(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}, Jobs: jobs.Options{StagingTTL: 400 * time.Millisecond}}})
	pr, pw := io.Pipe()
	go func() {
		fmt.Fprintln(pw, `{"id":"long-upload","app_key":23267207,"target":"DEVICE","message":{"title":"t","body":"b"}}`)
		for _, d := range devices("u", 12) {
			fmt.Fprintln(pw, d)
			time.Sleep(100 * time.Millisecond) // 1.2 s in all, three staging TTLs
		}
		pw.Close()
	}()
	done := make(chan *http.Response, 1)
	go func() { done <- e.do(http.MethodPost, "/v1/jobs", httpapi.MediaStream, pr) }()
	time.Sleep(900 * time.Millisecond)
	wantError(t, e.postJSON(job(func(m map[string]any) { m["id"] = "long-upload" })), http.StatusConflict, httpapi.CodeDuplicateJob, "id")
	got := decode[httpapi.Created](t, <-done, http.StatusAccepted)
	if got.Plan.Unique != 12 {
		t.Errorf("plan = %+v, want 12 unique targets", got.Plan)
	}
}
