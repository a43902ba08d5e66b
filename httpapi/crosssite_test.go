package httpapi_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/jobs"
)

// TestServer_CrossSiteForm performs a cross-site request forgery: a page on
// another site posts a plain HTML form (enctype text/plain, so no
// preflight) to the API and the UI, and the browser adds the Basic
// credentials the operator logged in to /jobs with. Every such request is
// refused with 403, and no job is created.
func TestServer_CrossSiteForm(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}})
	var uiPosts atomic.Int32
	mux := http.NewServeMux()
	mux.Handle("/", e.srv.Handler())
	mux.Handle("/ui/", e.srv.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			uiPosts.Add(1)
		}
	})))
	form := streamHeader + "\n" + devices("x", 1)[0] + "\n"
	tests := []struct {
		name       string
		path       string
		headers    map[string]string // besides the Basic credentials
		wantStatus int
	}{
		{"form to the API, modern browser", "/v1/jobs",
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
		{"form to the API, browser without Sec-Fetch-Site", "/v1/jobs",
			map[string]string{"Origin": "https://evil.example"}, 403},
		{"form to the API from a sibling site", "/v1/jobs",
			map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://other.example.com"}, 403},
		{"form to the UI (pause a queue)", "/ui/api/queues/q:pause",
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
		{"form to the UI, browser without Sec-Fetch-Site", "/ui/api/queues/q:pause",
			map[string]string{"Origin": "null"}, 403},
		{"Basic credentials on the API, same origin", "/v1/jobs",
			map[string]string{"Sec-Fetch-Site": "same-origin"}, 401},
		{"UI, same origin", "/ui/api/queues/q:pause",
			map[string]string{"Sec-Fetch-Site": "same-origin"}, 200},
	}
	srv := newTestServer(t, mux)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv+tt.path, strings.NewReader(form))
			req.Header.Set("Content-Type", "text/plain")
			req.SetBasicAuth("ops", token)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("POST %s = %d, want %d", tt.path, resp.StatusCode, tt.wantStatus)
			}
		})
	}
	if n := uiPosts.Load(); n != 1 {
		t.Errorf("the UI handler ran %d POSTs, want only the same-origin one", n)
	}
	page := decode[jobs.Page](t, e.do(http.MethodGet, "/v1/jobs", "", nil), http.StatusOK)
	if len(page.Jobs) != 0 {
		t.Errorf("%d jobs created by cross-site forms, want 0", len(page.Jobs))
	}
	t.Run("a non-browser client with a bearer token", func(t *testing.T) {
		decode[httpapi.Created](t, e.postStream(streamHeader, devices("y", 1)...), http.StatusAccepted)
	})
	t.Run("a same-origin fetch with a bearer token", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodDelete, e.url+"/v1/jobs/nope", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", e.url)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		wantError(t, resp, http.StatusNotFound, httpapi.CodeNotFound, "")
	})
}
