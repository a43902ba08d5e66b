package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/faultnet"
	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
)

func TestLoopbackAddr(t *testing.T) {
	tests := []struct {
		name      string
		addr      string
		tokens    bool
		want      string
		wantMoved bool
	}{
		{"loopback IPv4", "127.0.0.1:8080", false, "127.0.0.1:8080", false},
		{"other loopback IPv4", "127.0.0.2:8080", false, "127.0.0.2:8080", false},
		{"loopback IPv6", "[::1]:8080", false, "[::1]:8080", false},
		{"localhost", "localhost:9000", false, "localhost:9000", false},
		{"every interface", ":8080", false, "127.0.0.1:8080", true},
		{"all IPv4", "0.0.0.0:8080", false, "127.0.0.1:8080", true},
		{"a host's address", "10.1.2.3:8080", false, "127.0.0.1:8080", true},
		{"every interface with tokens", ":8080", true, ":8080", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, moved := loopbackAddr(tt.addr, tt.tokens)
			if got != tt.want || moved != tt.wantMoved {
				t.Errorf("loopbackAddr(%q, %v) = %q, %v; want %q, %v", tt.addr, tt.tokens, got, moved, tt.want, tt.wantMoved)
			}
		})
	}
}

// startCmd runs a serving command until the test ends, and waits for its
// /healthz.
func startCmd(t *testing.T, vars map[string]string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, err := runCmd(t, ctx, vars, args...); done <- err }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: %v", args[0], err)
		}
	})
	base := "http://" + vars["CPUSH_HTTP_ADDR"]
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not serve %s/healthz", args[0], base)
		}
	}
}

// request sends a request with an optional Authorization header.
func request(t *testing.T, method, url, auth, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func testVars(t *testing.T, prefix string) map[string]string {
	if !redistest.Real() {
		t.Skip("needs a real Redis: the binary connects by URL")
	}
	return map[string]string{
		"CPUSH_REDIS_URL": redistest.URL(), "CPUSH_PREFIX": prefix, "CPUSH_LOG_LEVEL": "error",
		"CPUSH_HTTP_ADDR": faultnet.FreeAddr(t), "CPUSH_API_TOKENS": "tok-one-0123456789abcdef0123456789,tok-two-0123456789abcdef0123456789",
	}
}

// TestRun_API runs `cpush api`: the API, the job page and the read-only
// UI behind the tokens, and asynq's queue metrics.
func TestRun_API(t *testing.T) {
	_, prefix := redistest.Namespace(t)
	vars := testVars(t, prefix)
	vars["CPUSH_UI_READ_ONLY"] = "true"
	startCmd(t, vars, "api")
	base := "http://" + vars["CPUSH_HTTP_ADDR"]
	job := `{"id":"api-job","app_key":23267207,"target":"DEVICE","targets":["` + device("d", 1) + `","` + device("d", 2) + `"],"message":{"title":"t","body":"b"}}`
	if code, _ := request(t, "POST", base+"/v1/jobs", "", job); code != 401 {
		t.Errorf("POST without a token = %d, want 401", code)
	}
	if code, body := request(t, "POST", base+"/v1/jobs", "Bearer tok-two-0123456789abcdef0123456789", job); code != 202 || !strings.Contains(body, `"id":"api-job"`) {
		t.Errorf("POST = %d %s, want 202 with the job", code, body)
	}
	webhook := strings.Replace(job, `"api-job"`, `"api-hook"`, 1)
	webhook = strings.Replace(webhook, `"app_key"`, `"webhook_url":"https://h.example.com/","app_key"`, 1)
	if code, body := request(t, "POST", base+"/v1/jobs", "Bearer tok-one-0123456789abcdef0123456789", webhook); code != 400 || !strings.Contains(body, `"field":"webhook_url"`) {
		t.Errorf("POST with webhook_url and no secret = %d %s, want 400 naming webhook_url", code, body)
	}
	basic := "Basic " + basicAuth("ops", "tok-one-0123456789abcdef0123456789")
	tests := []struct {
		name, method, path, auth string
		want                     int
	}{
		{"UI without a token", "GET", "/monitoring/", "", 401},
		{"UI with a wrong password", "GET", "/monitoring/", "Basic " + basicAuth("ops", "nope"), 401},
		{"UI with the token as password", "GET", "/monitoring/", basic, 200},
		{"UI API with the token", "GET", "/monitoring/api/queues", basic, 200},
		{"UI is read-only", "POST", "/monitoring/api/queues/" + prefix + ":default:pause", basic, 405},
		{"job page", "GET", "/jobs", basic, 200},
		{"health needs no token", "GET", "/healthz", "", 200},
		{"metrics need no token", "GET", "/metrics", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, body := request(t, tt.method, base+tt.path, tt.auth, ""); code != tt.want {
				t.Errorf("%s %s = %d %.200s, want %d", tt.method, tt.path, code, body, tt.want)
			}
		})
	}
	t.Run("the UI cannot be framed", func(t *testing.T) {
		req, _ := http.NewRequest("GET", base+"/monitoring/", nil)
		req.Header.Set("Authorization", basic)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if xfo, csp := resp.Header.Get("X-Frame-Options"), resp.Header.Get("Content-Security-Policy"); xfo != "DENY" || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET /monitoring/: X-Frame-Options %q, Content-Security-Policy %q; want DENY and frame-ancestors 'none'", xfo, csp)
		}
	})
	t.Run("cross-site form to the UI", func(t *testing.T) {
		req, _ := http.NewRequest("POST", base+"/monitoring/api/queues/"+prefix+":default:pause", strings.NewReader("x=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", basic)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST to the UI = %d, want 403", resp.StatusCode)
		}
	})
	_, metrics := request(t, "GET", base+"/metrics", "", "")
	for _, want := range []string{
		`asynq_tasks_enqueued_total{queue="` + prefix + `:default:direct",state="pending"} 1`, // a small job
		`cpush_http_requests_total{code="401",method="post"} 1`,                               // the POST without a token
		`cpush_http_requests_total{code="202",method="post"} 1`,
		`cpush_http_requests_total{code="400",method="post"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func basicAuth(user, password string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, password)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// TestRun_WorkerServesAPI runs `cpush worker`, sends a job over its HTTP
// API and gets its signed completion webhook.
func TestRun_WorkerServesAPI(t *testing.T) {
	_, prefix := redistest.Namespace(t)
	vars := testVars(t, prefix)
	sim := httptest.NewServer(pushsim.New(pushsim.Config{NoQuotas: true}))
	defer sim.Close()
	const secret = "whsec-cmd-test-0123456789"
	vars["CPUSH_PUSH_ENDPOINT"] = sim.URL
	vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = pushsim.TestAccessKeyID, pushsim.TestAccessKeySecret
	vars["CPUSH_WEBHOOK_SECRET"] = secret
	vars["CPUSH_WEBHOOK_ALLOW"] = "127.0.0.1/32" // the receiver is an httptest server
	var mu sync.Mutex
	var got []error
	var hookURL string // the job's webhook_url, which the signature covers
	var sum jobs.Summary
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		got = append(got, jobs.VerifyWebhook([]byte(secret), r.Header.Get(jobs.SignatureHeader), r.Header.Get(jobs.DeliveryHeader),
			hookURL, body, time.Now(), time.Minute))
		_ = json.Unmarshal(body, &sum)
	}))
	defer hook.Close()
	mu.Lock()
	hookURL = hook.URL
	mu.Unlock()
	startCmd(t, vars, "worker")
	base := "http://" + vars["CPUSH_HTTP_ADDR"]
	job := `{"app_key":23267207,"target":"DEVICE","targets":["` + device("d", 1) + `","` + device("d", 2) + `","` + device("d", 3) + `"],"message":{"title":"t","body":"b"},"webhook_url":"` + hookURL + `"}`
	code, body := request(t, "POST", base+"/v1/jobs", "Bearer tok-one-0123456789abcdef0123456789", job)
	var created struct{ ID string }
	if err := json.Unmarshal([]byte(body), &created); code != 202 || err != nil {
		t.Fatalf("POST = %d %s, want 202", code, body)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no webhook for job %s", created.ID)
		}
	}
	mu.Lock()
	if len(got) != 1 || got[0] != nil {
		t.Errorf("webhooks: %v, want one with a valid signature", got)
	}
	if sum.ID != created.ID || sum.Status != jobs.StatusCompleted || sum.Pushed != 3 {
		t.Errorf("webhook summary = %+v, want job %s completed with 3 pushed", sum, created.ID)
	}
	mu.Unlock()
	_, metrics := request(t, "GET", base+"/metrics", "", "")
	for _, want := range []string{`cpush_webhooks_total{result="delivered"} 1`, `cpush_targets_total{result="pushed"} 3`, "asynq_queue_size{"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepLines(metrics, "cpush_"))
		}
	}
}

// grepLines returns the lines of s that start with prefix.
func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
