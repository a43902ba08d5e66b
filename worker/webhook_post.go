package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cpush/cpush/jobs"
)

// maxWebhookAnswer is the most of a receiver's answer that is read.
const maxWebhookAnswer = 64 << 10

// post sends body to target, signed, and succeeds on a 2xx answer. Its
// error names the target's host only: a URL's path or query may hold a
// token, and the error reaches logs and the asynq UI.
func (h *Webhooks) post(ctx context.Context, target, id, delivery string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, h.opts.Timeout)
	defer cancel()
	host := hostOf(target)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building the POST to %s: %w", host, unwrapURLError(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cpush-webhook/2")
	req.Header.Set(jobs.JobIDHeader, id)
	req.Header.Set(jobs.DeliveryHeader, delivery)
	req.Header.Set(jobs.SignatureHeader, jobs.SignWebhook(h.opts.Secret, time.Now(), delivery, target, body))
	resp, err := h.opts.Client.Do(req)
	if err != nil {
		return fmt.Errorf("POST to %s: %w", host, unwrapURLError(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxWebhookAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("POST to %s: answered %s", host, resp.Status)
	}
	return nil
}

// unwrapURLError drops the *url.Error around err, which quotes the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// hostOf is the host of a webhook URL, what logs may show of it.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(unparsable URL)"
	}
	return u.Host
}
