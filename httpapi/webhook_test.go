package httpapi_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/jobs"
)

// hookReceiver answers its first failFirst calls 503, then 200, and
// verifies every call's signature as the README tells receivers to, with
// url, its webhook_url.
type hookReceiver struct {
	t         *testing.T
	secret    string
	url       string
	failFirst int
	mu        sync.Mutex
	calls     int
	bodies    [][]byte
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	sig, delivery := r.Header.Get("X-Cpush-Signature"), r.Header.Get("X-Cpush-Delivery-Id")
	if err := verifyByHand(h.secret, sig, delivery, h.url, body); err != "" {
		h.t.Errorf("call signature %q: %s", sig, err)
	}
	if err := jobs.VerifyWebhook([]byte(h.secret), sig, delivery, h.url, body, time.Now(), 5*time.Minute); err != nil {
		h.t.Errorf("jobs.VerifyWebhook: %v", err)
	}
	h.mu.Lock()
	h.calls++
	n := h.calls
	h.bodies = append(h.bodies, body)
	h.mu.Unlock()
	if n <= h.failFirst {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// verifyByHand checks "t=<ts>,v2=<hex>" against HMAC-SHA256(secret,
// "<ts>.<delivery>.<url>.<body>"), and returns what is wrong, or "".
func verifyByHand(secret, header, delivery, url string, body []byte) string {
	parts := strings.Split(header, ",")
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "t=") || !strings.HasPrefix(parts[1], "v2=") {
		return "not t=...,v2=..."
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(parts[0][2:] + "." + delivery + "." + url + "." + string(body)))
	if want := hex.EncodeToString(m.Sum(nil)); parts[1][3:] != want {
		return "v2 is not the HMAC-SHA256 of <t>.<delivery id>.<url>.<body>: want " + want
	}
	return ""
}

func (h *hookReceiver) seen() (int, [][]byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls, h.bodies
}

func TestServer_Webhook(t *testing.T) {
	const secret = "whsec-api-test-0123456789"
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}, Webhooks: true, Jobs: jobs.Options{WebhookAllow: testReceivers}},
		worker: true, webhookSecret: secret})
	recv := &hookReceiver{t: t, secret: secret, failFirst: 2}
	hs := httptest.NewServer(recv)
	defer hs.Close()
	recv.url = hs.URL + "/hooks/cpush"
	resp := e.postJSON(job(func(m map[string]any) {
		m["targets"] = devices("h", 2500)
		m["webhook_url"] = recv.url
	}))
	created := decode[httpapi.Created](t, resp, http.StatusAccepted)
	st := e.wait(created.ID, 30*time.Second)
	deadline := time.Now().Add(30 * time.Second)
	for n, _ := recv.seen(); n < 3 && time.Now().Before(deadline); n, _ = recv.seen() {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // no call after the one that succeeded
	n, bodies := recv.seen()
	if n != 3 {
		t.Fatalf("receiver got %d calls, want 3 (two failed, one delivered)", n)
	}
	var got jobs.Summary
	if err := json.Unmarshal(bodies[2], &got); err != nil {
		t.Fatal(err)
	}
	want := st.Summary()
	if got.ID != want.ID || got.Status != jobs.StatusCompleted || got.Pushed != 2500 || len(got.MessageIDs) != len(want.MessageIDs) {
		t.Errorf("webhook summary = %+v, want %+v", got, want)
	}
}
