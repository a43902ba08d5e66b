package jobs

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/cpush/cpush/push"
)

// Job is one message for a set of targets.
//
// Exactly one of Message (content mode: cpush stores the message and creates
// as many MessageIds as the targets need) and MessageID (message-id mode: the
// producer already called Push with Target=TBD) is set.
type Job struct {
	// ID is an optional idempotency key: a job with an ID already used is
	// refused with ErrDuplicateJob. Empty: cpush makes one.
	ID     string `json:"id,omitempty"`
	AppKey int64  `json:"app_key"`
	// Target is DEVICE, ACCOUNT or ALIAS.
	Target  string   `json:"target"`
	Targets []string `json:"targets"`

	Message *push.Message `json:"message,omitempty"`

	MessageID string `json:"message_id,omitempty"`
	// MessageCreatedAt is when MessageID was created (default: now); it
	// starts the message's lifetime.
	MessageCreatedAt time.Time `json:"message_created_at,omitzero"`

	// Priority is high, default (the default) or low.
	Priority string `json:"priority,omitempty"`
	// StartAt delays the job; zero starts it at once. The start has a
	// precision of one second and is never early: it is rounded up.
	StartAt time.Time `json:"start_at,omitzero"`

	// WebhookURL, if set, is POSTed the job's final Summary when it ends,
	// signed with the worker's webhook secret (see SignWebhook): an absolute
	// http or https URL of at most MaxWebhookURLBytes, without credentials.
	WebhookURL string `json:"webhook_url,omitempty"`

	// Owner names who created the job, for an API that lets each producer
	// see only its own jobs (ListOwned, Client.Owner): the HTTP API records
	// a hash of the producer's token, never the token. Never in JSON.
	Owner string `json:"-"`
}

// Priorities a job may have.
const (
	PriorityHigh    = "high"
	PriorityDefault = "default"
	PriorityLow     = "low"
)

// Longest target value cpush accepts per target type, in bytes. A device ID
// is 32 characters; the service allows accounts of up to 64 bytes and
// aliases of up to 128.
var MaxValueBytes = map[string]int{
	push.TargetDevice:  64,
	push.TargetAccount: 64,
	push.TargetAlias:   128,
}

// MaxIDBytes is the longest job ID.
const MaxIDBytes = 128

var idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// FieldError is a job field that breaks a rule; Field names it as producers
// write it (JSON names, "targets[3]").
type FieldError = push.FieldError

// errNoTargets: a job needs at least one target.
var errNoTargets = fieldErr("targets", "at least one target is required")

func fieldErr(field, rule string, args ...any) error {
	return &FieldError{Field: field, Rule: fmt.Sprintf(rule, args...)}
}

// validateHeader checks everything about j but its targets.
func (j *Job) validateHeader() error {
	switch {
	case j.ID != "" && (len(j.ID) > MaxIDBytes || !idPattern.MatchString(j.ID)):
		return fieldErr("id", "must be 1 to %d characters of A-Z, a-z, 0-9, '.', '_' and '-'", MaxIDBytes)
	case j.AppKey <= 0:
		return fieldErr("app_key", "must be a positive integer, not %d", j.AppKey)
	case MaxValueBytes[j.Target] == 0:
		return fieldErr("target", "ContinuouslyPush takes only DEVICE, ACCOUNT and ALIAS, not %q", j.Target)
	case j.Message != nil && j.MessageID != "":
		return fieldErr("message_id", "cannot be given with message: give the content (cpush creates MessageIds) or an existing MessageId, not both")
	case j.Message == nil && j.MessageID == "":
		return fieldErr("message", "message (the content) or message_id (an existing MessageId) is required")
	case j.MessageID == "" && !j.MessageCreatedAt.IsZero():
		return fieldErr("message_created_at", "applies only with message_id")
	case j.MessageID != "" && strings.ContainsAny(j.MessageID, ",{}: \t\r\n"):
		return fieldErr("message_id", "must not contain commas, braces, colons or whitespace")
	case j.MessageCreatedAt.After(time.Now().Add(time.Minute)):
		return fieldErr("message_created_at", "is in the future")
	case j.Priority != "" && j.Priority != PriorityHigh && j.Priority != PriorityDefault && j.Priority != PriorityLow:
		return fieldErr("priority", "must be high, default or low, not %q", j.Priority)
	}
	if err := validateWebhookURL(j.WebhookURL); err != nil {
		return err
	}
	if j.Message != nil {
		return j.Message.Validate("message")
	}
	return nil
}

// ValidateValue checks one target value of the given type; the error names
// the field as "targets[i]".
func ValidateValue(target, v string, i int) error {
	field := fmt.Sprintf("targets[%d]", i)
	switch {
	case v == "":
		return fieldErr(field, "is empty")
	case strings.Contains(v, ","):
		return fieldErr(field, "%q contains a comma (values are sent comma-separated)", v)
	case strings.IndexFunc(v, isSpace) >= 0:
		return fieldErr(field, "%q contains whitespace", v)
	case len(v) > MaxValueBytes[target]:
		return fieldErr(field, "is %d bytes; a %s value is at most %d", len(v), target, MaxValueBytes[target])
	}
	return nil
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', 0x85, 0xA0:
		return true
	}
	return false
}

// Validate checks j and all its targets, naming the first field that breaks
// a rule.
func (j *Job) Validate() error {
	if err := j.validateHeader(); err != nil {
		return err
	}
	if len(j.Targets) == 0 {
		return errNoTargets
	}
	for i, v := range j.Targets {
		if err := ValidateValue(j.Target, v, i); err != nil {
			return err
		}
	}
	return nil
}

// Dedupe returns j's targets with duplicates removed, first occurrence
// kept, and the number removed.
func (j *Job) Dedupe() (unique []string, removed int) {
	seen := make(map[string]struct{}, len(j.Targets))
	unique = make([]string, 0, len(j.Targets))
	for _, v := range j.Targets {
		if _, ok := seen[v]; ok {
			continue
		}
		seen[v] = struct{}{}
		unique = append(unique, v)
	}
	return unique, len(j.Targets) - len(unique)
}

// QueueOf returns the asynq queue of a priority under namespace ns.
func QueueOf(ns, priority string) string {
	if priority == "" {
		priority = PriorityDefault
	}
	return ns + ":" + priority
}

// Queues returns the asynq queues of the push tasks of namespace ns with
// their weights, for a worker's configuration.
func Queues(ns string) map[string]int {
	return map[string]int{QueueOf(ns, PriorityHigh): 6, QueueOf(ns, PriorityDefault): 3, QueueOf(ns, PriorityLow): 1}
}

// WebhookQueue returns the asynq queue of the completion webhooks of
// namespace ns: apart from the push queues, served by a worker's own
// webhook server with its own concurrency, so that slow receivers hold
// none of the push tasks' capacity.
func WebhookQueue(ns string) string { return ns + ":webhook" }

// WebhookQueues returns the queues of a worker's webhook server with their
// weights: the webhook queue alone.
func WebhookQueues(ns string) map[string]int { return map[string]int{WebhookQueue(ns): 1} }
