package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/worker"
)

// postBatch posts body (a value, or a string as it is) to /v1/jobs:batch.
func (e *env) postBatch(v any) *http.Response {
	e.t.Helper()
	body, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			e.t.Fatal(err)
		}
		body = string(b)
	}
	return e.do(http.MethodPost, "/v1/jobs:batch", httpapi.MediaJSON, strings.NewReader(body))
}

func TestServer_CreateBatch(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}})
	e.startWorker(worker.Options{}, "")
	batch := []any{
		job(func(m map[string]any) { m["id"] = "small-0"; m["target"] = "ACCOUNT" }),
		job(func(m map[string]any) { m["id"] = "small-1"; m["targets"] = []string{devices("ok", 1)[0], "has space"} }),
		`{"id": "small-2", "app_key": "not a number"}`,
		job(func(m map[string]any) { m["id"] = "small-0" }),
		job(func(m map[string]any) { m["id"] = "small-4"; m["webhook_url"] = "https://hooks.example.com/x" }),
		job(func(m map[string]any) { m["id"] = "small-5"; m["targets"] = devices("big", 1001) }),
		job(func(m map[string]any) { m["id"] = "small-6"; m["colour"] = "red" }),
		job(func(m map[string]any) { m["id"] = "small-7" }),
	}
	var raws []json.RawMessage
	for _, b := range batch {
		s, ok := b.(string)
		if !ok {
			raw, _ := json.Marshal(b)
			s = string(raw)
		}
		raws = append(raws, json.RawMessage(s))
	}
	got := decode[httpapi.BatchCreated](t, e.postBatch(map[string]any{"jobs": raws}), http.StatusOK)
	want := []struct{ id, code, field string }{
		{id: "small-0"},
		{code: httpapi.CodeInvalidField, field: "targets[1]"},
		{code: httpapi.CodeInvalidField, field: "app_key"},
		{code: httpapi.CodeDuplicateJob, field: "id"},
		{code: httpapi.CodeInvalidField, field: "webhook_url"},
		{code: httpapi.CodeBodyTooLarge, field: "targets"},
		{code: httpapi.CodeInvalidField, field: "colour"},
		{id: "small-7"},
	}
	if len(got.Results) != len(want) || got.Accepted != 2 || got.Refused != 6 {
		t.Fatalf("answer = %+v, want %d results, 2 accepted", got, len(want))
	}
	for i, w := range want {
		r := got.Results[i]
		switch {
		case w.id != "" && (r.ID != w.id || r.Plan == nil || r.Plan.Path != jobs.PathDirect || r.Error != nil):
			t.Errorf("result %d = %+v, want %s accepted on the direct path", i, r, w.id)
		case w.id == "" && (r.Error == nil || r.Error.Code != w.code || r.Error.Field != w.field || r.ID != ""):
			t.Errorf("result %d = %+v %+v, want error %s naming %s", i, r, r.Error, w.code, w.field)
		}
	}
	for _, id := range []string{"small-0", "small-7"} {
		if st := e.wait(id, 20*time.Second); st.Status != jobs.StatusCompleted || st.Path != jobs.PathDirect {
			t.Errorf("job %s = %+v, want completed on the direct path", id, st)
		}
	}
	for _, id := range []string{"small-1", "small-4", "small-5", "small-6"} {
		wantError(t, e.do(http.MethodGet, "/v1/jobs/"+id, "", nil), http.StatusNotFound, httpapi.CodeNotFound, "")
	}
}

func TestServer_CreateBatchRefused(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}, MaxBatchBytes: 64 << 10}})
	many := make([]map[string]any, httpapi.MaxBatchJobs+1)
	for i := range many {
		many[i] = map[string]any{"id": "j" + strconv.Itoa(i)}
	}
	tests := []struct {
		name        string
		contentType string
		body        any
		wantStatus  int
		wantCode    string
		wantField   string
	}{
		{"no jobs", httpapi.MediaJSON, `{"jobs": []}`, 400, httpapi.CodeInvalidField, "jobs"},
		{"not an object", httpapi.MediaJSON, `[1, 2]`, 400, httpapi.CodeInvalidJSON, ""},
		{"unknown field", httpapi.MediaJSON, `{"jobs": [{}], "dry_run": true}`, 400, httpapi.CodeInvalidField, "dry_run"},
		{"broken JSON", httpapi.MediaJSON, `{"jobs": [`, 400, httpapi.CodeInvalidJSON, ""},
		{"too many jobs", httpapi.MediaJSON, map[string]any{"jobs": many}, 413, httpapi.CodeBodyTooLarge, "jobs"},
		{"a streamed upload", httpapi.MediaStream, "{}\nd1", 415, httpapi.CodeUnsupportedMediaType, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ok := tt.body.(string)
			if !ok {
				b, _ := json.Marshal(tt.body)
				body = string(b)
			}
			resp := e.do(http.MethodPost, "/v1/jobs:batch", tt.contentType, strings.NewReader(body))
			wantError(t, resp, tt.wantStatus, tt.wantCode, tt.wantField)
		})
	}
	t.Run("GET", func(t *testing.T) {
		wantError(t, e.do(http.MethodGet, "/v1/jobs:batch", "", nil), http.StatusMethodNotAllowed, httpapi.CodeMethodNotAllowed, "")
	})
}
