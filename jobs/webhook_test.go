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

func TestSignWebhook(t *testing.T) {
	secret := []byte("whsec-test")
	body := []byte(`{"id":"j1","status":"completed"}`)
	at := time.Unix(1764288000, 0)
	got := jobs.SignWebhook(secret, at, body)
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "%d.%s", at.Unix(), body)
	want := fmt.Sprintf("t=%d,v1=%s", at.Unix(), hex.EncodeToString(m.Sum(nil)))
	if got != want {
		t.Errorf("SignWebhook = %q, want %q", got, want)
	}
}

func TestVerifyWebhook(t *testing.T) {
	secret := []byte("whsec-test")
	body := []byte(`{"id":"j1"}`)
	now := time.Unix(1764288000, 0)
	good := jobs.SignWebhook(secret, now, body)
	tests := []struct {
		name   string
		header string
		body   []byte
		secret []byte
		now    time.Time
		want   error
	}{
		{name: "valid", header: good, body: body, secret: secret, now: now},
		{name: "valid within tolerance", header: good, body: body, secret: secret, now: now.Add(4 * time.Minute)},
		{name: "second signature matches", header: "t=1764288000,v1=00ff," + strings.Split(good, ",")[1], body: body, secret: secret, now: now},
		{name: "other body", header: good, body: []byte(`{"id":"j2"}`), secret: secret, now: now, want: jobs.ErrBadSignature},
		{name: "other secret", header: good, body: body, secret: []byte("nope"), now: now, want: jobs.ErrBadSignature},
		{name: "stale", header: good, body: body, secret: secret, now: now.Add(6 * time.Minute), want: jobs.ErrStaleSignature},
		{name: "no time", header: strings.Split(good, ",")[1], body: body, secret: secret, now: now, want: jobs.ErrBadSignature},
		{name: "empty", header: "", body: body, secret: secret, now: now, want: jobs.ErrBadSignature},
		{name: "not hex", header: "t=1764288000,v1=zz", body: body, secret: secret, now: now, want: jobs.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := jobs.VerifyWebhook(tt.secret, tt.header, tt.body, tt.now, 5*time.Minute)
			if (tt.want == nil && err != nil) || !errors.Is(err, tt.want) {
				t.Errorf("VerifyWebhook = %v, want %v", err, tt.want)
			}
		})
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
