package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/syncbuf"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

// specPath is docs/openapi.yaml from the package's directory.
const specPath = "../docs/openapi.yaml"

// prismProxy is Prism's validating proxy in front of a server:
// `prism proxy <spec> <upstream> --errors` on a loopback port.
type prismProxy struct {
	url string
	log *syncbuf.Buffer // Prism's output, shown when the test fails
}

// startPrism runs bin (CPUSH_PRISM) as a validating proxy of spec in front
// of upstream until t ends.
func startPrism(t *testing.T, bin, spec, upstream string) *prismProxy {
	t.Helper()
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "proxy", spec, upstream, "--errors",
		"--host", "127.0.0.1", "--port", port)
	p := &prismProxy{url: "http://127.0.0.1:" + port, log: &syncbuf.Buffer{}}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cancel()
		<-exited
		if t.Failed() {
			t.Logf("prism's log:\n%s", p.log)
		}
	})
	deadline := time.After(60 * time.Second)
	for !strings.Contains(p.log.String(), "Prism is listening") {
		select {
		case <-exited:
			t.Fatalf("prism exited:\n%s", p.log)
		case <-deadline:
			t.Fatalf("prism did not start in 60s:\n%s", p.log)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return p
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// exchange is one request through the proxy and the answer it wants.
type exchange struct {
	method, path string
	contentType  string
	body         string
	auth         func(*http.Request) // nil: the test's bearer token
	wantStatus   int
	wantCode     string // the error code of an error answer
}

// answer is what came back through the proxy.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// send makes x through p and returns the answer and the violations Prism
// reports: the sl-violations header (every violation, warnings too, such
// as an undocumented error status) and, with --errors, its own
// application/problem+json answers (a request or response that breaks the
// document).
func (p *prismProxy) send(t *testing.T, x exchange) (answer, []string) {
	t.Helper()
	req, err := http.NewRequest(x.method, p.url+x.path, strings.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	if x.contentType != "" {
		req.Header.Set("Content-Type", x.contentType)
	}
	if x.auth == nil {
		x.auth = bearer(token)
	}
	x.auth(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s through prism: %v", x.method, x.path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s through prism: reading the body: %v", x.method, x.path, err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: body}
	var violations []string
	if v := resp.Header.Get("sl-violations"); v != "" {
		violations = append(violations, "sl-violations: "+v)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		violations = append(violations, fmt.Sprintf("prism answered %d: %s", resp.StatusCode, body))
	}
	return a, violations
}

// check makes x through p and fails t on any violation, or on an answer
// other than the one x wants.
func (p *prismProxy) check(t *testing.T, x exchange) answer {
	t.Helper()
	a, violations := p.send(t, x)
	for _, v := range violations {
		t.Errorf("%s %s: %s", x.method, x.path, v)
	}
	if a.status != x.wantStatus {
		t.Errorf("%s %s = %d %s, want %d", x.method, x.path, a.status, a.body, x.wantStatus)
	}
	if x.wantCode != "" {
		var e apiError
		if err := json.Unmarshal(a.body, &e); err != nil || e.Error.Code != x.wantCode {
			t.Errorf("%s %s answered %s, want error code %s", x.method, x.path, a.body, x.wantCode)
		}
	}
	return a
}

// prismEnv is the server the Prism test proxies: real Redis, a worker on
// the simulator, and a MessageId limit of one call, so that a message-id
// job of two chunks fails its second.
func prismEnv(t *testing.T) *env {
	t.Helper()
	limits := jobs.Limits{Limit: 1, Unit: push.UnitCalls, TTL: 24 * time.Hour}
	return setup(t, options{
		api: httpapi.Options{Tokens: []string{token}, Webhooks: true, MaxJSONBytes: 64 << 10, MaxBatchBytes: 64 << 10,
			Jobs: jobs.Options{Limits: limits, WebhookAllow: []string{"127.0.0.1"}}},
		sim:    pushsim.Config{MessageLimit: 1, LimitUnit: push.UnitCalls},
		worker: true, workerOpts: worker.Options{Limits: limits, StatsSchedule: []time.Duration{50 * time.Millisecond}},
	})
}

// prismBin returns CPUSH_PRISM, skipping t when it is unset.
func prismBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("CPUSH_PRISM")
	if bin == "" {
		t.Skip("CPUSH_PRISM is unset: it names the prism binary of docs/check (npm ci there; .ci/run does)")
	}
	return bin
}

// TestOpenAPI_Prism sends the HTTP API's scenarios through Prism's
// validating proxy of docs/openapi.yaml in front of the real server, and
// fails on any violation Prism reports. Each request is one the document
// allows, so that Prism forwards it and checks the server's answer; each
// error code is reached by what only the server can tell.
func TestOpenAPI_Prism(t *testing.T) {
	bin := prismBin(t)
	e := prismEnv(t)
	p := startPrism(t, bin, specPath, e.url)
	job := `{"id":"flash-sale-2026-11-28","app_key":23267207,"target":"DEVICE",` +
		`"targets":["a692961a92534047ad3625aa7c1e0d4b","b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6"],` +
		`"message":{"title":"Flash sale","body":"Half price until midnight"},"webhook_url":"http://127.0.0.1:9/cpush"}`

	t.Run("create a JSON job", func(t *testing.T) {
		a := p.check(t, exchange{method: "POST", path: "/v1/jobs", contentType: "application/json", body: job, wantStatus: 202})
		if loc := a.header.Get("Location"); loc != "/v1/jobs/flash-sale-2026-11-28" {
			t.Errorf("Location = %q", loc)
		}
	})
	t.Run("create a streamed upload", func(t *testing.T) {
		p.check(t, exchange{method: "POST", path: "/v1/jobs", contentType: "text/plain",
			body: streamHeader + "\n" + strings.Join(devices("p", 3), "\n") + "\n", wantStatus: 202})
	})
	t.Run("create a batch of small jobs", func(t *testing.T) {
		prismBatch(t, e, p)
	})
	failing := prismFailingJob(t, e, p)
	later := prismScheduledJob(t, p)
	t.Run("get a job's status", func(t *testing.T) {
		p.check(t, exchange{method: "GET", path: "/v1/jobs/flash-sale-2026-11-28", wantStatus: 200})
		e.wait("flash-sale-2026-11-28", 30*time.Second)
		e.waitDelivery("flash-sale-2026-11-28", 30*time.Second)
		a := p.check(t, exchange{method: "GET", path: "/v1/jobs/flash-sale-2026-11-28", wantStatus: 200})
		if !bytes.Contains(a.body, []byte(`"delivery":{"totals":{"accepted":2,"sent":2,`)) {
			t.Errorf("status %s, want its delivery statistics", a.body)
		}
	})
	t.Run("list with a cursor", func(t *testing.T) {
		a := p.check(t, exchange{method: "GET", path: "/v1/jobs?limit=2", wantStatus: 200})
		var page jobs.Page
		if err := json.Unmarshal(a.body, &page); err != nil || page.Next == "" {
			t.Fatalf("first page %s: want a next_cursor (%v)", a.body, err)
		}
		p.check(t, exchange{method: "GET", path: "/v1/jobs?limit=2&cursor=" + page.Next, wantStatus: 200})
	})
	t.Run("cancel", func(t *testing.T) {
		p.check(t, exchange{method: "DELETE", path: "/v1/jobs/" + later, wantStatus: 202})
	})
	t.Run("failed targets as NDJSON", func(t *testing.T) {
		e.wait(failing, 60*time.Second)
		a := p.check(t, exchange{method: "GET", path: "/v1/jobs/" + failing + "/failed", wantStatus: 200})
		if n := bytes.Count(a.body, []byte("\n")); n != 500 {
			t.Errorf("%d failed targets listed, want 500", n)
		}
		e.wait("flash-sale-2026-11-28", 30*time.Second)
		p.check(t, exchange{method: "GET", path: "/v1/jobs/flash-sale-2026-11-28/failed", wantStatus: 200})
	})
	t.Run("job page", func(t *testing.T) {
		p.check(t, exchange{method: "GET", path: "/jobs", auth: basic("ops", token), wantStatus: 200})
		p.check(t, exchange{method: "GET", path: "/jobs/flash-sale-2026-11-28", auth: basic("ops", token), wantStatus: 200})
		p.check(t, exchange{method: "GET", path: "/jobs/nope", auth: basic("ops", token), wantStatus: 404})
		// Prism's proxy follows a redirect, so the Cancel button's 303 is
		// checked in TestJobPage_Chromium; its refusal here.
		p.check(t, exchange{method: "POST", path: "/jobs/nope/cancel", auth: basic("ops", token), wantStatus: 404})
		p.check(t, exchange{method: "GET", path: "/jobs?cursor=not-a-cursor", auth: basic("ops", token), wantStatus: 400})
		p.check(t, exchange{method: "GET", path: "/jobs", auth: basic("ops", "wrong-token"), wantStatus: 401})
	})
	t.Run("errors", func(t *testing.T) {
		for _, x := range prismErrors(job) {
			t.Run(x.wantCode+" "+x.method+" "+x.path, func(t *testing.T) { p.check(t, x) })
		}
	})
	t.Run("what the document refuses", func(t *testing.T) {
		prismRefusals(t, p)
	})
}

// prismBatch creates a batch through p: two small jobs accepted, one
// refused for a field and one for its id, each with its result in order;
// then the accepted ones complete on the direct path.
func prismBatch(t *testing.T, e *env, p *prismProxy) {
	t.Helper()
	small := func(id, targets string) string {
		return fmt.Sprintf(`{"id":%q,"app_key":%d,"target":"ACCOUNT","targets":[%s],"message":{"title":"New follower","body":"carol follows you"}}`,
			id, testAppKey, targets)
	}
	body := `{"jobs":[` + strings.Join([]string{small("follow-1", `"alice"`), small("follow-2", `"bob","bob tablet"`),
		small("follow-3", `"carol","dave"`), small("follow-1", `"erin"`)}, ",") + `]}`
	a := p.check(t, exchange{method: "POST", path: "/v1/jobs:batch", contentType: "application/json", body: body, wantStatus: 200})
	var got httpapi.BatchCreated
	if err := json.Unmarshal(a.body, &got); err != nil {
		t.Fatalf("answer %s: %v", a.body, err)
	}
	if got.Accepted != 2 || got.Refused != 2 || len(got.Results) != 4 || got.Results[0].ID != "follow-1" || got.Results[2].ID != "follow-3" ||
		got.Results[1].Error == nil || got.Results[1].Error.Field != "targets[1]" ||
		got.Results[3].Error == nil || got.Results[3].Error.Code != httpapi.CodeDuplicateJob {
		t.Errorf("answer %s, want follow-1 and follow-3 accepted, targets[1] and a duplicate id refused", a.body)
	}
	for _, id := range []string{"follow-1", "follow-3"} {
		if st := e.wait(id, 30*time.Second); st.Path != jobs.PathDirect || st.Status != jobs.StatusCompleted {
			t.Errorf("job %s = %+v, want completed on the direct path", id, st)
		}
		p.check(t, exchange{method: "GET", path: "/v1/jobs/" + id, wantStatus: 200})
	}
}

// prismFailingJob creates a message-id job of 1,500 targets through p on
// a MessageId that takes one call: its second chunk, 500 targets, fails.
func prismFailingJob(t *testing.T, e *env, p *prismProxy) string {
	t.Helper()
	msg, err := e.svc.CreateMessage(context.Background(), testAppKey, push.Message{Title: "t", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	header := fmt.Sprintf(`{"app_key": %d, "target": "DEVICE", "message_id": %q}`, testAppKey, msg.MessageID)
	a := p.check(t, exchange{method: "POST", path: "/v1/jobs", contentType: "text/plain",
		body: header + "\n" + strings.Join(devices("x", 1500), "\n"), wantStatus: 202})
	var created httpapi.Created
	if err := json.Unmarshal(a.body, &created); err != nil || created.Plan.OverLimit != 500 {
		t.Fatalf("created %s, want a plan with 500 over the limit (%v)", a.body, err)
	}
	return created.ID
}

// prismScheduledJob creates a job through p that starts in an hour, to be
// cancelled.
func prismScheduledJob(t *testing.T, p *prismProxy) string {
	t.Helper()
	body := fmt.Sprintf(`{"app_key":%d,"target":"ALIAS","targets":["alice"],"message":{"push_type":"MESSAGE","title":"t","body":"b"},"start_at":%q}`,
		testAppKey, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	a := p.check(t, exchange{method: "POST", path: "/v1/jobs", contentType: "application/json", body: body, wantStatus: 202})
	var created httpapi.Created
	if err := json.Unmarshal(a.body, &created); err != nil {
		t.Fatalf("created %s: %v", a.body, err)
	}
	return created.ID
}

// prismErrors are requests the document allows that the server refuses,
// one or more for each error code that Prism can check: not forbidden
// (which needs another host), internal, or method_not_allowed, which Prism
// answers itself (prismRefusals).
func prismErrors(job string) []exchange {
	longTarget := strings.Repeat("d", 65) // a DEVICE value is at most 64 bytes; the document allows any target up to 128
	return []exchange{
		{method: "POST", path: "/v1/jobs", contentType: "text/plain", body: "app_key=1\nd1", wantStatus: 400, wantCode: httpapi.CodeInvalidJSON},
		{method: "POST", path: "/v1/jobs", contentType: "application/json",
			body:       `{"app_key":1,"target":"DEVICE","targets":["` + longTarget + `"],"message":{"title":"t","body":"b"}}`,
			wantStatus: 400, wantCode: httpapi.CodeInvalidField},
		{method: "GET", path: "/v1/jobs?cursor=not-a-cursor", wantStatus: 400, wantCode: httpapi.CodeInvalidField},
		{method: "GET", path: "/v1/jobs", auth: bearer("wrong-token-0123456789"), wantStatus: 401, wantCode: httpapi.CodeUnauthorized},
		{method: "GET", path: "/v1/jobs/nope", wantStatus: 404, wantCode: httpapi.CodeNotFound},
		{method: "DELETE", path: "/v1/jobs/nope", wantStatus: 404, wantCode: httpapi.CodeNotFound},
		{method: "GET", path: "/v1/jobs/nope/failed", wantStatus: 404, wantCode: httpapi.CodeNotFound},
		{method: "POST", path: "/v1/jobs", contentType: "application/json", body: job, wantStatus: 409, wantCode: httpapi.CodeDuplicateJob},
		{method: "DELETE", path: "/v1/jobs/flash-sale-2026-11-28", wantStatus: 409, wantCode: httpapi.CodeJobFinished},
		{method: "POST", path: "/v1/jobs", contentType: "text/plain",
			body: `{"app_key":1,"id":"` + strings.Repeat("x", httpapi.MaxLineBytes) + `"}` + "\nd1", wantStatus: 413, wantCode: httpapi.CodeBodyTooLarge},
		{method: "POST", path: "/v1/jobs", contentType: "application/json",
			body:       `{"app_key":1,"target":"DEVICE","targets":["d1"],"message":{"title":"t","body":"` + strings.Repeat("b", 65<<10) + `"}}`,
			wantStatus: 413, wantCode: httpapi.CodeBodyTooLarge},
		// Prism takes a +json type for application/json; the server takes
		// only application/json and text/plain.
		{method: "POST", path: "/v1/jobs", contentType: "application/vnd.cpush+json", body: job, wantStatus: 415, wantCode: httpapi.CodeUnsupportedMediaType},
		{method: "POST", path: "/v1/jobs:batch", contentType: "application/vnd.cpush+json", body: `{"jobs":[` + job + `]}`,
			wantStatus: 415, wantCode: httpapi.CodeUnsupportedMediaType},
		{method: "POST", path: "/v1/jobs:batch", contentType: "application/json",
			body:       `{"jobs":[{"app_key":1,"target":"DEVICE","targets":["d1"],"message":{"title":"t","body":"` + strings.Repeat("b", 65<<10) + `"}}]}`,
			wantStatus: 413, wantCode: httpapi.CodeBodyTooLarge},
	}
}

// prismRefusals checks requests that the document itself refuses, as the
// server does: Prism answers them and never asks the server, so that a
// method_not_allowed or a request without a token cannot be checked
// through it (TestOpenAPI_Methods checks the server's 405s).
func prismRefusals(t *testing.T, p *prismProxy) {
	tests := []struct {
		name       string
		x          exchange
		wantStatus int    // Prism's own answer
		wantText   string // in its problem+json
	}{
		{"a method the path does not take", exchange{method: "PUT", path: "/v1/jobs", contentType: "application/json", body: "{}"}, 405, "NO_METHOD_MATCHED_ERROR"},
		{"no such endpoint", exchange{method: "GET", path: "/v1/nothing"}, 404, "NO_PATH_MATCHED_ERROR"},
		{"no token", exchange{method: "GET", path: "/v1/jobs", auth: func(*http.Request) {}}, 401, "UNAUTHORIZED"},
		{"a NOTICE without a title", exchange{method: "POST", path: "/v1/jobs", contentType: "application/json",
			body: `{"app_key":1,"target":"DEVICE","targets":["d1"],"message":{"body":"b"}}`}, 422, "title"},
		{"a batch without jobs", exchange{method: "POST", path: "/v1/jobs:batch", contentType: "application/json",
			body: `{"jobs":[]}`}, 422, "jobs"},
		{"both message and message_id", exchange{method: "POST", path: "/v1/jobs", contentType: "application/json",
			body: `{"app_key":1,"target":"DEVICE","targets":["d1"],"message":{"title":"t","body":"b"},"message_id":"5001"}`}, 422, "oneOf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, violations := p.send(t, tt.x)
			if a.status != tt.wantStatus || len(violations) == 0 || !strings.Contains(string(a.body), tt.wantText) {
				t.Errorf("%s %s through prism = %d %s, want prism's %d naming %s", tt.x.method, tt.x.path, a.status, a.body, tt.wantStatus, tt.wantText)
			}
		})
	}
}

// TestOpenAPI_PrismCatches shows that TestOpenAPI_Prism would fail: Prism
// on a copy of the document with two deliberate faults reports both, one
// as an error answer and one only in sl-violations.
func TestOpenAPI_PrismCatches(t *testing.T) {
	bin := prismBin(t)
	raw, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	wrong := string(raw)
	for _, fault := range []struct{ old, new string }{
		// estimated_ns becomes a string: the server's 202 breaks the schema.
		{`estimated_ns: {type: integer, format: int64,`, `estimated_ns: {type: string,`},
		// createJob loses its 409: an undocumented error status is only a warning to Prism.
		{"        \"409\":\n          description: \"`duplicate_job`", "        \"499\":\n          description: \"`duplicate_job`"},
	} {
		if !strings.Contains(wrong, fault.old) {
			t.Fatalf("docs/openapi.yaml no longer has %q to break", fault.old)
		}
		wrong = strings.Replace(wrong, fault.old, fault.new, 1)
	}
	spec := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(spec, []byte(wrong), 0o600); err != nil {
		t.Fatal(err)
	}
	e := prismEnv(t)
	p := startPrism(t, bin, spec, e.url)
	body := `{"id":"caught","app_key":1,"target":"DEVICE","targets":["a692961a92534047ad3625aa7c1e0d4b"],"message":{"title":"t","body":"b"}}`
	for _, tt := range []struct {
		name, want string
	}{
		{"a response that breaks its schema", "estimated_ns"},
		{"an undocumented status", "Unable to match the returned status code"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, violations := p.send(t, exchange{method: "POST", path: "/v1/jobs", contentType: "application/json", body: body})
			if !strings.Contains(strings.Join(violations, "\n"), tt.want) {
				t.Errorf("violations %q, want one naming %q", violations, tt.want)
			}
		})
	}
}
