package jobs

import (
	"fmt"
	"slices"
	"time"

	"github.com/cpush/cpush/internal/egress"
)

// checkOptions checks the rules of job that depend on the Client's
// Options, after Validate's own: which AppKeys it may name, how far ahead
// it may start, where its webhook may go.
func checkOptions(job *Job, opts Options) error {
	if len(opts.AppKeys) > 0 && !slices.Contains(opts.AppKeys, job.AppKey) {
		return fieldErr("app_key", "%d is not an AppKey of this deployment (apps in its configuration)", job.AppKey)
	}
	if err := checkStart(job.StartAt, opts.MaxStartDelay); err != nil {
		return err
	}
	return checkWebhookAddress(job.WebhookURL, opts.WebhookAllow)
}

// checkStart refuses a start more than max ahead: the job's keys live
// until it starts, and its TTL arithmetic must not overflow.
func checkStart(start time.Time, max time.Duration) error {
	if !start.IsZero() && start.After(time.Now().Add(max)) {
		return fieldErr("start_at", "is more than %s ahead; a job starts at most %s from now (CPUSH_MAX_START_DELAY)",
			max.Round(time.Hour), max.Round(time.Hour))
	}
	return nil
}

// checkWebhookAddress refuses a webhook URL whose host is a non-public
// address written literally (127.0.0.1, 10.1.2.3, 169.254.169.254,
// 100.100.100.200, [::1], localhost, ...) unless allow lets it; workers
// check every address again when they dial, after DNS resolution.
func checkWebhookAddress(raw string, allow []string) error {
	if raw == "" {
		return nil
	}
	policy, err := egress.NewPolicy(allow)
	if err != nil {
		return fmt.Errorf("jobs.Options.WebhookAllow: %w", err)
	}
	if err := policy.CheckURL(raw); err != nil {
		return fieldErr("webhook_url", "%s; a receiver inside the network must be allowed by the deployment (CPUSH_WEBHOOK_ALLOW)", err)
	}
	return nil
}
