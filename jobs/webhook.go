package jobs

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxWebhookURLBytes is the longest Job.WebhookURL.
const MaxWebhookURLBytes = 2048

// SignatureHeader is the HTTP header of a completion webhook that carries
// its signature: "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
const SignatureHeader = "X-Cpush-Signature"

// JobIDHeader is the HTTP header of a completion webhook that names its job.
const JobIDHeader = "X-Cpush-Job-Id"

// validateWebhookURL checks Job.WebhookURL: empty, or an absolute http(s)
// URL with a host and no user info.
func validateWebhookURL(raw string) error {
	if raw == "" {
		return nil
	}
	const field = "webhook_url"
	if len(raw) > MaxWebhookURLBytes {
		return fieldErr(field, "is %d bytes; at most %d", len(raw), MaxWebhookURLBytes)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "":
		return fieldErr(field, "must be an absolute http:// or https:// URL such as https://example.com/hooks/cpush")
	case u.User != nil:
		return fieldErr(field, "must not hold a user name or password: the signature authenticates cpush")
	}
	return nil
}

// SignWebhook returns the SignatureHeader value of a webhook body sent at
// t, signed with secret.
func SignWebhook(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(webhookMAC(secret, ts, body))
}

func webhookMAC(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Errors of VerifyWebhook; test with errors.Is.
var (
	// ErrBadSignature: the header is malformed or no v1 signature matches.
	ErrBadSignature = errors.New("webhook signature does not match")
	// ErrStaleSignature: the signature's time is further from now than the
	// tolerance allows (a replay, or a clock off).
	ErrStaleSignature = errors.New("webhook signature is too old or in the future")
)

// VerifyWebhook checks a completion webhook as a receiver should: header is
// its SignatureHeader, body the raw request body, now the receiver's clock
// and tolerance how far the signature's time may be from it (5 minutes is
// a good choice; 0 skips the check).
func VerifyWebhook(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, sigs := parseSignature(header)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("%s %q: %w", SignatureHeader, header, ErrBadSignature)
	}
	want := webhookMAC(secret, ts, body)
	ok := false
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		ok = ok || (err == nil && hmac.Equal(got, want))
	}
	if !ok {
		return fmt.Errorf("verifying %s: %w", SignatureHeader, ErrBadSignature)
	}
	if d := now.Sub(time.Unix(sec, 0)).Abs(); tolerance > 0 && d > tolerance {
		return fmt.Errorf("signed %s from now: %w", d.Round(time.Second), ErrStaleSignature)
	}
	return nil
}

// parseSignature splits "t=<ts>,v1=<hex>[,v1=<hex>...]".
func parseSignature(header string) (ts string, sigs []string) {
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	return ts, sigs
}
