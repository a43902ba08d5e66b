package jobs

import (
	"fmt"

	"github.com/cpush/cpush/internal/egress"
)

// checkOptions checks the rules of job that depend on the Client's
// Options, after Validate's own: where its webhook may go.
func checkOptions(job *Job, opts Options) error {
	return checkWebhookAddress(job.WebhookURL, opts.WebhookAllow)
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
