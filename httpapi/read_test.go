package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

func TestServer_List(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}})
	var want []string // newest first
	for i := range 5 {
		id := fmt.Sprintf("list-%d", i)
		decode[httpapi.Created](t, e.postJSON(job(func(m map[string]any) { m["id"] = id })), http.StatusAccepted)
		want = append([]string{id}, want...)
		time.Sleep(2 * time.Millisecond) // distinct creation times
	}
	var got []string
	cursor, pages := "", 0
	for {
		page := decode[jobs.Page](t, e.do(http.MethodGet, "/v1/jobs?limit=2&cursor="+cursor, "", nil), http.StatusOK)
		for _, st := range page.Jobs {
			got = append(got, st.ID)
		}
		pages++
		if cursor = page.Next; cursor == "" || pages > 5 {
			break
		}
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("listed %v in %d pages, want %v in 3", got, pages, want)
	}
	tests := []struct {
		name, query, wantField string
	}{
		{"limit 0", "?limit=0", "limit"},
		{"limit over the most", fmt.Sprintf("?limit=%d", jobs.MaxListLimit+1), "limit"},
		{"limit not a number", "?limit=ten", "limit"},
		{"limit given twice", "?limit=2&limit=3", "limit"},
		{"bad cursor", "?cursor=not-one", "cursor"},
		{"cursor with a bad escape", "?limit=2&cursor=%zz", "cursor"},
		{"cursor with a semicolon", "?cursor=MTIzOmE;limit=2", "cursor"},
		{"cursor given twice", "?cursor=MTIzOmE&cursor=MTIzOmE", "cursor"},
		{"cursor with stray bits", "?cursor=MTIzOmF", "cursor"},
		{"cursor with a negative time", "?cursor=LTU6eA", "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.do(http.MethodGet, "/v1/jobs"+tt.query, "", nil), http.StatusBadRequest, httpapi.CodeInvalidField, tt.wantField)
		})
	}
	t.Run("job page with a bad cursor", func(t *testing.T) {
		for _, query := range []string{"?cursor=%zz", "?cursor=MTIzOmF"} {
			if resp := e.do(http.MethodGet, "/jobs"+query, "", nil); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("GET /jobs%s = %d, want 400", query, resp.StatusCode)
			}
		}
	})
}

func TestServer_Cancel(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}, sim: pushsim.Config{Latency: 30 * time.Millisecond}, worker: true})
	resp := e.postJSON(job(func(m map[string]any) { m["targets"] = devices("k", 10000) }))
	created := decode[httpapi.Created](t, resp, http.StatusAccepted)
	st := decode[jobs.Status](t, e.do(http.MethodDelete, "/v1/jobs/"+created.ID, "", nil), http.StatusAccepted)
	if !st.CancelRequested || st.ID != created.ID {
		t.Errorf("DELETE answered %+v, want job %s with cancel_requested", st, created.ID)
	}
	final := e.wait(created.ID, 30*time.Second)
	if final.Status != jobs.StatusCancelled || final.Cancelled == 0 || final.Pushed+final.Cancelled != 10000 {
		t.Errorf("job ended %s with %d pushed, %d cancelled; want cancelled, all 10000 counted", final.Status, final.Pushed, final.Cancelled)
	}
	wantError(t, e.do(http.MethodDelete, "/v1/jobs/"+created.ID, "", nil), http.StatusConflict, httpapi.CodeJobFinished, "")
	wantError(t, e.do(http.MethodDelete, "/v1/jobs/nope", "", nil), http.StatusNotFound, httpapi.CodeNotFound, "")
}

// TestServer_Failed lists the targets of a message-id-mode job over its
// MessageId's limit, and checks them against the simulator's deliveries.
func TestServer_Failed(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}, worker: true})
	msg, err := e.svc.CreateMessage(context.Background(), testAppKey, push.Message{Title: "t", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	targets := devices("f", 11500)
	header := fmt.Sprintf(`{"app_key": %d, "target": "DEVICE", "message_id": %q}`, testAppKey, msg.MessageID)
	created := decode[httpapi.Created](t, e.postStream(header, targets...), http.StatusAccepted)
	st := e.wait(created.ID, 60*time.Second)
	if st.Status != jobs.StatusFailed || st.FailedTotal != 1500 {
		t.Fatalf("job ended %s with %d failed, want failed with 1500", st.Status, st.FailedTotal)
	}
	resp := e.do(http.MethodGet, "/v1/jobs/"+created.ID+"/failed", "", nil)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != httpapi.MediaNDJSON {
		t.Fatalf("GET failed = %d %s, want 200 %s", resp.StatusCode, ct, httpapi.MediaNDJSON)
	}
	sim := e.sim.Stats()
	var got []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var f jobs.FailedTarget
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if f.Code != push.CodeMessageLimitExceeded {
			t.Errorf("target %s failed with %q, want %s", f.Target, f.Code, push.CodeMessageLimitExceeded)
		}
		if sim.Delivered(push.TargetDevice, f.Target) != 0 {
			t.Errorf("target %s is listed failed but was delivered", f.Target)
		}
		got = append(got, f.Target)
	}
	var undelivered []string
	for _, v := range targets {
		if sim.Delivered(push.TargetDevice, v) == 0 {
			undelivered = append(undelivered, v)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, undelivered) || len(got) != 1500 {
		t.Errorf("listed %d failed targets, want the %d undelivered ones", len(got), len(undelivered))
	}
	wantError(t, e.do(http.MethodGet, "/v1/jobs/nope/failed", "", nil), http.StatusNotFound, httpapi.CodeNotFound, "")
}

// TestServer_PathID: the {id} of the read routes is checked as a job ID is
// at creation, before it reaches a Redis key.
func TestServer_PathID(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}})
	long := strings.Repeat("x", jobs.MaxIDBytes+1)
	tests := []struct {
		method, path string
	}{
		{http.MethodGet, "/v1/jobs/a:b"},
		{http.MethodGet, "/v1/jobs/%7Bj:x%7D:meta"},
		{http.MethodGet, "/v1/jobs/" + long},
		{http.MethodGet, "/v1/jobs/a%00b/failed"},
		{http.MethodGet, "/v1/jobs/" + long + "/failed"},
		{http.MethodDelete, "/v1/jobs/a*"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path[:min(len(tt.path), 40)], func(t *testing.T) {
			wantError(t, e.do(tt.method, tt.path, "", nil), http.StatusBadRequest, httpapi.CodeInvalidField, "id")
		})
	}
}
