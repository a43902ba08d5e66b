package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/jobs"
)

const token = "test-token-0123456789"

// job is a valid JSON job with edits.
func job(edit func(m map[string]any)) map[string]any {
	m := map[string]any{
		"app_key": testAppKey, "target": "DEVICE", "targets": devices("d", 4),
		"message": map[string]any{"title": "Sale", "body": "Half price"},
	}
	if edit != nil {
		edit(m)
	}
	return m
}

func TestServer_CreateJSON(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}, Webhooks: true}})
	resp := e.postJSON(job(func(m map[string]any) {
		m["id"] = "campaign-1"
		m["targets"] = []string{devices("d", 1)[0], devices("e", 1)[0], devices("d", 1)[0]}
		m["webhook_url"] = "https://hooks.example.com/cpush"
	}))
	got := decode[httpapi.Created](t, resp, http.StatusAccepted)
	want := jobs.Plan{ID: "campaign-1", Total: 3, Unique: 2, Duplicates: 1, Chunks: 1, MessageIDs: 1, Estimated: got.Plan.Estimated,
		Path: jobs.PathDirect}
	if got.ID != "campaign-1" || got.Plan != want {
		t.Errorf("created = %+v, want id campaign-1 and plan %+v", got, want)
	}
	if loc := resp.Header.Get("Location"); loc != "/v1/jobs/campaign-1" {
		t.Errorf("Location = %q, want /v1/jobs/campaign-1", loc)
	}
	st := decode[jobs.Status](t, e.do(http.MethodGet, "/v1/jobs/campaign-1", "", nil), http.StatusOK)
	if st.ID != "campaign-1" || st.Status != jobs.StatusQueued || st.Unique != 2 || st.Target != "DEVICE" {
		t.Errorf("status = %+v, want campaign-1 queued with 2 unique DEVICE targets", st)
	}
	t.Run("same id again", func(t *testing.T) {
		resp := e.postJSON(job(func(m map[string]any) { m["id"] = "campaign-1" }))
		wantError(t, resp, http.StatusConflict, httpapi.CodeDuplicateJob, "id")
	})
	t.Run("unknown job", func(t *testing.T) {
		wantError(t, e.do(http.MethodGet, "/v1/jobs/nope", "", nil), http.StatusNotFound, httpapi.CodeNotFound, "")
	})
}

func TestServer_CreateValidation(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}, MaxInlineTargets: 100, MaxJSONBytes: 64 << 10, Webhooks: true}})
	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{"not JSON", `{"app_key": 1,`, 400, httpapi.CodeInvalidJSON, ""},
		{"empty body", ``, 400, httpapi.CodeInvalidJSON, ""},
		{"array", `[1, 2]`, 400, httpapi.CodeInvalidJSON, ""},
		{"two values", `{"app_key": 1} {}`, 400, httpapi.CodeInvalidJSON, ""},
		{"unknown field", job(func(m map[string]any) { m["webhook"] = "x" }), 400, httpapi.CodeInvalidField, "webhook"},
		{"app key a string", job(func(m map[string]any) { m["app_key"] = "23267207" }), 400, httpapi.CodeInvalidField, "app_key"},
		{"title a number", job(func(m map[string]any) { m["message"] = map[string]any{"title": 5, "body": "b"} }), 400, httpapi.CodeInvalidField, "message.title"},
		{"start time not a time", job(func(m map[string]any) { m["start_at"] = "tomorrow" }), 400, httpapi.CodeInvalidField, "start_at"},
		{"expire time not a time", job(func(m map[string]any) { m["message"] = map[string]any{"body": "b", "expire_time": "soon"} }), 400, httpapi.CodeInvalidField, "message.expire_time"},
		{"bad id", job(func(m map[string]any) { m["id"] = "a b" }), 400, httpapi.CodeInvalidField, "id"},
		{"app key zero", job(func(m map[string]any) { m["app_key"] = 0 }), 400, httpapi.CodeInvalidField, "app_key"},
		{"tag target", job(func(m map[string]any) { m["target"] = "TAG" }), 400, httpapi.CodeInvalidField, "target"},
		{"no targets", job(func(m map[string]any) { delete(m, "targets") }), 400, httpapi.CodeInvalidField, "targets"},
		{"comma in a target", job(func(m map[string]any) { m["targets"] = append(devices("c", 3), "d,e") }), 400, httpapi.CodeInvalidField, "targets[3]"},
		{"empty target", job(func(m map[string]any) { m["targets"] = append(devices("e", 1), "") }), 400, httpapi.CodeInvalidField, "targets[1]"},
		{"long target", job(func(m map[string]any) { m["targets"] = []string{strings.Repeat("x", 65)} }), 400, httpapi.CodeInvalidField, "targets[0]"},
		{"message and message id", job(func(m map[string]any) { m["message_id"] = "5001" }), 400, httpapi.CodeInvalidField, "message_id"},
		{"neither", job(func(m map[string]any) { delete(m, "message") }), 400, httpapi.CodeInvalidField, "message"},
		{"no body", job(func(m map[string]any) { m["message"] = map[string]any{"title": "t"} }), 400, httpapi.CodeInvalidField, "message.body"},
		{"bad push type", job(func(m map[string]any) { m["message"] = map[string]any{"title": "t", "body": "b", "push_type": "SMS"} }), 400, httpapi.CodeInvalidField, "message.push_type"},
		{"bad priority", job(func(m map[string]any) { m["priority"] = "urgent" }), 400, httpapi.CodeInvalidField, "priority"},
		{"created without id", job(func(m map[string]any) { m["message_created_at"] = "2026-01-01T00:00:00Z" }), 400, httpapi.CodeInvalidField, "message_created_at"},
		{"bad webhook url", job(func(m map[string]any) { m["webhook_url"] = "hooks.example.com" }), 400, httpapi.CodeInvalidField, "webhook_url"},
		{"webhook to loopback", job(func(m map[string]any) { m["webhook_url"] = "http://127.0.0.1:6379/" }), 400, httpapi.CodeInvalidField, "webhook_url"},
		{"webhook to the metadata service", job(func(m map[string]any) { m["webhook_url"] = "http://100.100.100.200/latest/meta-data/" }), 400, httpapi.CodeInvalidField, "webhook_url"},
		{"webhook to a private network", job(func(m map[string]any) { m["webhook_url"] = "http://[::ffff:10.0.0.1]/" }), 400, httpapi.CodeInvalidField, "webhook_url"},
		{"too many inline targets", job(func(m map[string]any) { m["targets"] = devices("i", 101) }), 413, httpapi.CodeBodyTooLarge, "targets"},
		{"body too large", job(func(m map[string]any) { m["message"] = map[string]any{"body": strings.Repeat("b", 65<<10)} }), 413, httpapi.CodeBodyTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.postJSON(tt.body), tt.wantStatus, tt.wantCode, tt.wantField)
		})
	}
	t.Run("nothing was staged", func(t *testing.T) {
		page := decode[jobs.Page](t, e.do(http.MethodGet, "/v1/jobs", "", nil), http.StatusOK)
		if len(page.Jobs) != 0 {
			t.Errorf("%d jobs listed after refused ones, want 0", len(page.Jobs))
		}
	})
}

func TestServer_CreateMediaType(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}})
	for _, ct := range []string{"", "application/x-www-form-urlencoded", "application/x-ndjson"} {
		t.Run(fmt.Sprintf("%q", ct), func(t *testing.T) {
			resp := e.do(http.MethodPost, "/v1/jobs", ct, strings.NewReader(`{}`))
			wantError(t, resp, http.StatusUnsupportedMediaType, httpapi.CodeUnsupportedMediaType, "")
		})
	}
	t.Run("charset parameter", func(t *testing.T) {
		body := `{"app_key":1,"target":"DEVICE","targets":["` + devices("a", 1)[0] + `"],"message":{"title":"t","body":"b"}}`
		resp := e.do(http.MethodPost, "/v1/jobs", "application/json; charset=utf-8", strings.NewReader(body))
		decode[httpapi.Created](t, resp, http.StatusAccepted)
	})
}

func TestServer_Routes(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}})
	wantError(t, e.do(http.MethodGet, "/v1/nothing", "", nil), http.StatusNotFound, httpapi.CodeNotFound, "")
	resp := e.do(http.MethodPut, "/v1/jobs", httpapi.MediaJSON, strings.NewReader("{}"))
	if allow := resp.Header.Get("Allow"); allow != "GET, POST" {
		t.Errorf("Allow = %q, want GET, POST", allow)
	}
	wantError(t, resp, http.StatusMethodNotAllowed, httpapi.CodeMethodNotAllowed, "")
	wantError(t, e.do(http.MethodPost, "/v1/jobs/x/failed", "", nil), http.StatusMethodNotAllowed, httpapi.CodeMethodNotAllowed, "")
}
