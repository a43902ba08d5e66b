package jobs_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
)

const (
	hookDelivery = "3f2a7c1e-0d4b-4d61-9a55-2b8f3f1c7e90"
	hookURL      = "https://hooks.example.com/cpush?k=v"
)

func TestSignWebhook(t *testing.T) {
	secret := []byte("whsec-test")
	body := []byte(`{"id":"j1","status":"completed"}`)
	at := time.Unix(1764288000, 0)
	got := jobs.SignWebhook(secret, at, hookDelivery, hookURL, body)
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "%d.%s.%s.%s", at.Unix(), hookDelivery, hookURL, body)
	want := fmt.Sprintf("t=%d,v2=%s", at.Unix(), hex.EncodeToString(m.Sum(nil)))
	if got != want {
		t.Errorf("SignWebhook = %q, want %q", got, want)
	}
}

// signV1 is the signature of the previous release's workers.
func signV1(secret []byte, at time.Time, body []byte) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "%d.%s", at.Unix(), body)
	return fmt.Sprintf("t=%d,v1=%s", at.Unix(), hex.EncodeToString(m.Sum(nil)))
}

func TestVerifyWebhook(t *testing.T) {
	secret := []byte("whsec-test")
	body := []byte(`{"id":"j1"}`)
	now := time.Unix(1764288000, 0)
	good := jobs.SignWebhook(secret, now, hookDelivery, hookURL, body)
	v1 := signV1(secret, now, body)
	tests := []struct {
		name     string
		header   string
		delivery string
		url      string
		body     []byte
		secret   []byte
		now      time.Time
		want     error
	}{
		{name: "valid", header: good},
		{name: "valid within tolerance", header: good, now: now.Add(4 * time.Minute)},
		{name: "second signature matches", header: "t=1764288000,v2=00ff," + strings.Split(good, ",")[1]},
		{name: "other body", header: good, body: []byte(`{"id":"j2"}`), want: jobs.ErrBadSignature},
		{name: "other secret", header: good, secret: []byte("nope"), want: jobs.ErrBadSignature},
		{name: "another receiver's URL", header: good, url: "https://other.example.com/cpush", want: jobs.ErrBadSignature},
		{name: "the URL without its query", header: good, url: "https://hooks.example.com/cpush", want: jobs.ErrBadSignature},
		{name: "another delivery", header: good, delivery: "other-delivery", want: jobs.ErrBadSignature},
		{name: "stale", header: good, now: now.Add(6 * time.Minute), want: jobs.ErrStaleSignature},
		{name: "no time", header: strings.Split(good, ",")[1], want: jobs.ErrBadSignature},
		{name: "empty", header: "", want: jobs.ErrBadSignature},
		{name: "not hex", header: "t=1764288000,v2=zz", want: jobs.ErrBadSignature},
		{name: "v1 of the previous release", header: v1},
		{name: "v1 of another body", header: v1, body: []byte(`{"id":"j2"}`), want: jobs.ErrBadSignature},
		{name: "a v1 beside a bad v2 is not a fallback", header: v1 + ",v2=00ff", want: jobs.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, u, b, sec, at := or(tt.delivery, hookDelivery), or(tt.url, hookURL), tt.body, tt.secret, tt.now
			if b == nil {
				b = body
			}
			if sec == nil {
				sec = secret
			}
			if at.IsZero() {
				at = now
			}
			err := jobs.VerifyWebhook(sec, tt.header, d, u, b, at, 5*time.Minute)
			if (tt.want == nil && err != nil) || !errors.Is(err, tt.want) {
				t.Errorf("VerifyWebhook = %v, want %v", err, tt.want)
			}
		})
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestVerifyWebhook_ReplayToAnotherReceiver: two receivers share the
// webhook secret (one deployment). The first takes a genuine delivery,
// headers and body, and replays it to the second, which verifies it with
// its own URL: refused.
func TestVerifyWebhook_ReplayToAnotherReceiver(t *testing.T) {
	secret := []byte("whsec-shared-by-every-receiver")
	body := []byte(`{"id":"j1","status":"completed","pushed":100}`)
	now := time.Now()
	const receiverA, receiverB = "https://a.example.com/hooks", "https://b.example.com/hooks"
	header := jobs.SignWebhook(secret, now, hookDelivery, receiverA, body)
	if err := jobs.VerifyWebhook(secret, header, hookDelivery, receiverA, body, now, 5*time.Minute); err != nil {
		t.Fatalf("receiver A: %v", err)
	}
	err := jobs.VerifyWebhook(secret, header, hookDelivery, receiverB, body, now, 5*time.Minute)
	if !errors.Is(err, jobs.ErrBadSignature) {
		t.Errorf("receiver B verified A's delivery: %v, want ErrBadSignature", err)
	}
}

func TestJob_ValidateWebhookURL(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want string // a part of the rule; "" for valid
	}{
		{name: "https", url: "https://hooks.example.com/cpush?k=v"},
		{name: "http with port", url: "http://127.0.0.1:9000/hook"},
		{name: "relative", url: "/hook", want: "absolute"},
		{name: "no scheme", url: "hooks.example.com/x", want: "absolute"},
		{name: "ftp", url: "ftp://example.com/x", want: "absolute"},
		{name: "no host", url: "https:///x", want: "absolute"},
		{name: "opaque", url: "https:example.com", want: "absolute"},
		{name: "credentials", url: "https://u:p@example.com/", want: "user name or password"},
		{name: "too long", url: "https://example.com/" + strings.Repeat("a", jobs.MaxWebhookURLBytes), want: "at most 2048"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := validJob()
			j.WebhookURL = tt.url
			err := j.Validate()
			var fe *jobs.FieldError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (!errors.As(err, &fe) || fe.Field != "webhook_url" || !strings.Contains(fe.Rule, tt.want)):
				t.Errorf("Validate() = %v, want a webhook_url error with %q", err, tt.want)
			}
		})
	}
}

func TestClient_EnqueueWebhookURL(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.Namespace(t)
	c := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
	defer c.Close()
	j := validJob()
	j.WebhookURL = "https://hooks.example.com/cpush"
	plan, err := c.Enqueue(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rdb.HGet(ctx, (jobs.Keys{Prefix: prefix}).Meta(plan.ID), jobs.FieldWebhookURL).Result()
	if err != nil || got != j.WebhookURL {
		t.Errorf("meta %s = %q, %v; want %q", jobs.FieldWebhookURL, got, err, j.WebhookURL)
	}
}

// TestPlanJob_WebhookAddress: a webhook_url that names an address inside
// the network literally is refused at creation, unless the deployment
// allows it; a worker would otherwise post the job's summary there, and
// its errors, shown in the UI, would map the network's open ports.
func TestPlanJob_WebhookAddress(t *testing.T) {
	tests := []struct {
		name  string
		url   string
		allow []string
		want  bool // accepted
	}{
		{name: "public name", url: "https://hooks.example.com/cpush", want: true},
		{name: "loopback", url: "http://127.0.0.1:9000/hook"},
		{name: "every interface", url: "http://0.0.0.0:9000/hook"},
		{name: "IPv6 loopback", url: "http://[::1]:9000/hook"},
		{name: "IPv4-mapped loopback", url: "http://[::ffff:127.0.0.1]/hook"},
		{name: "10/8", url: "http://10.0.0.8/hook"},
		{name: "172.16/12", url: "http://172.20.1.1/hook"},
		{name: "192.168/16", url: "http://192.168.1.1/hook"},
		{name: "metadata service", url: "http://169.254.169.254/latest/meta-data/"},
		{name: "Alibaba Cloud metadata service", url: "http://100.100.100.200/latest/meta-data/"},
		{name: "shared address space", url: "http://100.64.1.1/"},
		{name: "unique local IPv6", url: "http://[fd00::1]/"},
		{name: "link-local IPv6", url: "http://[fe80::1]/"},
		{name: "localhost", url: "http://localhost:9000/hook"},
		{name: "decimal loopback", url: "http://2130706433/hook"},
		{name: "allowed CIDR", url: "http://10.0.0.8/hook", allow: []string{"10.0.0.0/24"}, want: true},
		{name: "allowed host", url: "http://localhost:9000/hook", allow: []string{"localhost"}, want: true},
		{name: "outside the allowed CIDR", url: "http://10.0.1.8/hook", allow: []string{"10.0.0.0/24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := validJob()
			j.WebhookURL = tt.url
			_, err := jobs.PlanJob(j, jobs.Options{WebhookAllow: tt.allow})
			var fe *jobs.FieldError
			switch {
			case tt.want && err != nil:
				t.Errorf("PlanJob = %v, want it accepted", err)
			case !tt.want && (!errors.As(err, &fe) || fe.Field != "webhook_url" || !strings.Contains(fe.Rule, "not a public address")):
				t.Errorf("PlanJob = %v, want a webhook_url error saying it is not a public address", err)
			}
		})
	}
}
