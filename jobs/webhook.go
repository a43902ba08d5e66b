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
// its signature: "t=<unix seconds>,v2=<hex HMAC-SHA256 of
// "<t>.<delivery id>.<url>.<body>">" (see SignWebhook).
const SignatureHeader = "X-Cpush-Signature"

// JobIDHeader is the HTTP header of a completion webhook that names its job.
const JobIDHeader = "X-Cpush-Job-Id"

// DeliveryHeader is the HTTP header of a completion webhook that names its
// delivery: one ID per job's webhook, the same on each retry, so that a
// receiver can drop one it has seen.
const DeliveryHeader = "X-Cpush-Delivery-Id"

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

// SignWebhook returns the SignatureHeader value of a webhook delivery
// sent at t to url, signed with secret: "t=<unix seconds>,v2=<hex>", the
// HMAC-SHA256 of "<t>.<delivery id>.<url>.<body>". The URL is the job's
// webhook_url exactly as the job gave it. Binding the delivery and the URL
// means that a receiver cannot replay a genuine delivery to another
// receiver of the same secret.
func SignWebhook(secret []byte, t time.Time, deliveryID, url string, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v2=" + hex.EncodeToString(webhookMAC(secret, ts, deliveryID, url, body))
}

// webhookMAC is the v2 signature's HMAC.
func webhookMAC(secret []byte, ts, deliveryID, url string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	for _, part := range []string{ts, deliveryID, url} {
		m.Write([]byte(part))
		m.Write([]byte("."))
	}
	m.Write(body)
	return m.Sum(nil)
}

// webhookMACv1 is the signature of older workers, "<t>.<body>", which
// VerifyWebhook accepts for one more release.
func webhookMACv1(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Errors of VerifyWebhook; test with errors.Is.
var (
	// ErrBadSignature: the header is malformed or no signature matches.
	ErrBadSignature = errors.New("webhook signature does not match")
	// ErrStaleSignature: the signature's time is further from now than the
	// tolerance allows (a replay, or a clock off).
	ErrStaleSignature = errors.New("webhook signature is too old or in the future")
)

// VerifyWebhook checks a completion webhook as a receiver should: header
// is its SignatureHeader, deliveryID its DeliveryHeader, url the
// receiver's own webhook_url as the job gave it, body the raw request
// body, now the receiver's clock and tolerance how far the signature's
// time may be from it (5 minutes is a good choice; 0 skips the check).
//
// A header with v2 signatures is checked on them only. A header with v1
// signatures only, which workers of the previous release send, is checked
// on "<t>.<body>"; that form binds neither the delivery nor the URL, and
// is accepted until the next release.
func VerifyWebhook(secret []byte, header, deliveryID, url string, body []byte, now time.Time, tolerance time.Duration) error {
	sig := parseSignature(header)
	sec, err := strconv.ParseInt(sig.ts, 10, 64)
	if err != nil || len(sig.v1)+len(sig.v2) == 0 {
		return fmt.Errorf("%s %q: %w", SignatureHeader, header, ErrBadSignature)
	}
	want, sigs := webhookMAC(secret, sig.ts, deliveryID, url, body), sig.v2
	if len(sig.v2) == 0 {
		want, sigs = webhookMACv1(secret, sig.ts, body), sig.v1
	}
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

// signature is a parsed SignatureHeader.
type signature struct {
	ts     string
	v1, v2 []string
}

// parseSignature splits "t=<ts>,v2=<hex>[,v2=<hex>...]" (or v1).
func parseSignature(header string) signature {
	var s signature
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			s.ts = v
		case "v1":
			s.v1 = append(s.v1, v)
		case "v2":
			s.v2 = append(s.v2, v)
		}
	}
	return s
}
