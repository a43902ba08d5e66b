package httpapi_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/jobs"
)

const streamHeader = `{"app_key": 23267207, "target": "DEVICE", "message": {"title": "Sale", "body": "Half price"}}`

// dev is a device ID that starts with tag.
func dev(tag string) string { return devices(tag, 1)[0] }

// postStream posts a streamed upload: header, then lines.
func (e *env) postStream(header string, lines ...string) *http.Response {
	e.t.Helper()
	body := header + "\n" + strings.Join(lines, "\n")
	return e.do(http.MethodPost, "/v1/jobs", httpapi.MediaStream, strings.NewReader(body))
}

func TestServer_CreateStream(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}, MaxStreamTargets: 2500}})
	t.Run("targets one a line", func(t *testing.T) {
		lines := append(devices("s", 2400), "", "  "+devices("s", 1)[0]+"  ", "\r")
		got := decode[httpapi.Created](t, e.postStream(streamHeader, lines...), http.StatusAccepted)
		if p := got.Plan; p.Total != 2401 || p.Unique != 2400 || p.Duplicates != 1 || p.Chunks != 3 {
			t.Errorf("plan = %+v, want 2401 targets, 2400 unique, 1 duplicate, 3 chunks", p)
		}
		st := decode[jobs.Status](t, e.do(http.MethodGet, "/v1/jobs/"+got.ID, "", nil), http.StatusOK)
		if st.Unique != 2400 || st.Status != jobs.StatusQueued {
			t.Errorf("status = %+v, want queued with 2400 unique", st)
		}
	})
	t.Run("header only, no newline", func(t *testing.T) {
		resp := e.do(http.MethodPost, "/v1/jobs", httpapi.MediaStream, strings.NewReader(streamHeader))
		wantError(t, resp, http.StatusBadRequest, httpapi.CodeInvalidField, "targets")
	})
	tests := []struct {
		name       string
		header     string
		lines      []string
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{"bad target", streamHeader, []string{dev("a"), "", dev("b"), "c,d"}, 400, httpapi.CodeInvalidField, "targets[2]"},
		{"inner space", streamHeader, []string{"a b"}, 400, httpapi.CodeInvalidField, "targets[0]"},
		{"not a device ID", streamHeader, []string{dev("a"), "a692961a92534047ad3625aa"}, 400, httpapi.CodeInvalidField, "targets[1]"},
		{"NUL in a target", streamHeader, []string{"a692961a92534047ad3625aa\x007c1e0d4"}, 400, httpapi.CodeInvalidField, "targets[0]"},
		{"no targets", streamHeader, []string{"", " "}, 400, httpapi.CodeInvalidField, "targets"},
		{"header not JSON", `app_key=1`, []string{"a"}, 400, httpapi.CodeInvalidJSON, ""},
		{"empty body", ``, nil, 400, httpapi.CodeInvalidJSON, ""},
		{"targets in the header", `{"app_key":1,"target":"DEVICE","targets":["x"],"message":{"body":"b"}}`, []string{"a"}, 400, httpapi.CodeInvalidField, "targets"},
		{"bad header field", `{"app_key":1,"target":"TAG","message":{"body":"b"}}`, []string{"a"}, 400, httpapi.CodeInvalidField, "target"},
		{"unknown header field", `{"app_key":1,"target":"DEVICE","message":{"body":"b"},"url":"x"}`, []string{"a"}, 400, httpapi.CodeInvalidField, "url"},
		{"webhooks off", `{"app_key":1,"target":"DEVICE","message":{"body":"b"},"webhook_url":"https://h.example.com/"}`, []string{"a"}, 400, httpapi.CodeInvalidField, "webhook_url"},
		{"line too long", streamHeader, []string{dev("a"), strings.Repeat("x", httpapi.MaxLineBytes+1)}, 400, httpapi.CodeInvalidField, "targets[1]"},
		{"header too long", `{"app_key":1,"id":"` + strings.Repeat("x", httpapi.MaxLineBytes) + `"}`, []string{"a"}, 413, httpapi.CodeBodyTooLarge, ""},
		{"too many targets", streamHeader, devices("m", 2501), 413, httpapi.CodeBodyTooLarge, "targets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.postStream(tt.header, tt.lines...), tt.wantStatus, tt.wantCode, tt.wantField)
		})
	}
	t.Run("body over the byte limit", func(t *testing.T) {
		padded := devices("p", 2000)
		for i := range padded {
			padded[i] = strings.Repeat(" ", 1000) + padded[i]
		}
		wantError(t, e.postStream(streamHeader, padded...), 413, httpapi.CodeBodyTooLarge, "")
	})
	t.Run("refused uploads left nothing", func(t *testing.T) {
		page := decode[jobs.Page](t, e.do(http.MethodGet, "/v1/jobs", "", nil), http.StatusOK)
		if len(page.Jobs) != 1 {
			t.Errorf("%d jobs listed, want only the accepted one", len(page.Jobs))
		}
	})
}

// TestServer_CreateStream1M uploads 1,000,000 targets as they are
// written, never holding the body.
func TestServer_CreateStream1M(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 1,000,000 targets")
	}
	const n = 1_000_000
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}})
	resp := e.do(http.MethodPost, "/v1/jobs", httpapi.MediaStream, targetStream(n))
	got := decode[httpapi.Created](t, resp, http.StatusAccepted)
	if p := got.Plan; p.Total != n || p.Unique != n || p.Chunks != n/jobs.ChunkSize || p.MessageIDs != 100 {
		t.Errorf("plan = %+v, want %d unique targets in %d chunks on 100 MessageIds", p, n, n/jobs.ChunkSize)
	}
}

// targetStream is a streamed upload of n device IDs of 32 characters,
// written as it is read.
func targetStream(n int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 64<<10)
		fmt.Fprintln(w, streamHeader)
		for i := range n {
			fmt.Fprintf(w, "%032x\n", i*2654435761)
		}
		pw.CloseWithError(w.Flush())
	}()
	return pr
}
