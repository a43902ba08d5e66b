package pushsim

import (
	"fmt"
	"net/http"
	"time"
)

// TestAccessKeyID is the AccessKey ID the simulator accepts when Config
// names no credential. It is a documented test value, not a secret.
const TestAccessKeyID = "cpush-sim-test-id"

// TestAccessKeySecret is the AccessKey secret of TestAccessKeyID. It is a
// documented test value, not a secret.
const TestAccessKeySecret = "cpush-sim-test-secret"

// DefaultAccount is the main account ID that owns the test pair and any
// credential that names none; quotas are counted per main account.
const DefaultAccount = "cpush-sim-account"

// Modes of an ambiguous fault (Config.AmbiguousMode).
const (
	// AmbiguousError delivers, then answers 500 InternalError.
	AmbiguousError = "error"
	// AmbiguousDrop delivers, then closes the connection with no answer.
	AmbiguousDrop = "drop"
)

// Defaults of Config's zero values.
const (
	// DefaultMessageTTL is how long a TBD message lives
	// (PageContinuouslyPush: "stored in the push system for 24 hours by
	// default").
	DefaultMessageTTL = 24 * time.Hour
	// DefaultMessageLimit is the most pushes per MessageId
	// (PageContinuouslyPush: "restricted to 10,000").
	DefaultMessageLimit = 10000
	// DefaultReceivedFraction is the share of sent targets
	// QueryPushStatByMsg counts as received.
	DefaultReceivedFraction = 0.9
	// DefaultOpenedFraction is the share of received targets it counts as
	// opened.
	DefaultOpenedFraction = 0.3
)

// Config sets up a simulator. Its zero value is the documented service:
// the test AccessKey pair owned by DefaultAccount, the documented quotas,
// no faults.
type Config struct {
	// AccessKeyID and AccessKeySecret add one credential owned by
	// DefaultAccount; an empty one of the two takes the test pair's value.
	// With both empty and no Credentials, the simulator accepts the test
	// pair (TestAccessKeyID, TestAccessKeySecret).
	AccessKeyID, AccessKeySecret string
	// Credentials are the AccessKeys the simulator knows (see Credential).
	Credentials []Credential
	// MessageTTL is how long a stored message lives (default 24h).
	MessageTTL time.Duration
	// MessageLimit is the most pushes per MessageId (default 10000).
	MessageLimit int
	// LimitUnit says what a push is: UnitTargets (default, one per target
	// value) or UnitCalls (one per ContinuouslyPush call).
	LimitUnit string
	// NoQuotas turns the documented quotas (DocumentedQuotas) off. QPS and
	// APIQPS still apply.
	NoQuotas bool
	// QPS replaces the documented quota of an action (ActionPush, ...) with
	// qps calls per second, per main account and region, as a token
	// bucket of Burst. Over it the simulator answers 400 Throttling.User.
	QPS map[string]float64
	// Burst is the token bucket size per action; 0 or missing means
	// max(1, int(QPS[action])).
	Burst map[string]int
	// APIQPS is a flow control per action across all accounts, calls per
	// second (bucket of max(1, int(qps))); over it the simulator answers
	// 400 Throttling.Api. Missing or 0: none.
	APIQPS map[string]float64
	// Codes are the answers to the conditions the service documents
	// without a code (unknown, expired, completed, exhausted MessageId).
	// A zero field takes the default (see DefaultCodes).
	Codes Codes
	// ReceivedFraction (0..1) is the share of a message's sent targets that
	// QueryPushStatByMsg counts as received, rounded down; 0 means
	// DefaultReceivedFraction. SetStatModel sets 0 itself.
	ReceivedFraction float64
	// OpenedFraction (0..1) is the share of received targets counted as
	// opened, rounded down; 0 means DefaultOpenedFraction.
	OpenedFraction float64
	// StatSettle is how long after a message's last delivery (message
	// clock) QueryPushStatByMsg still answers Received and Opened 0.
	StatSettle time.Duration
	// MaxURLBytes bounds a request's URI (path and query; the SDK puts every
	// parameter there). 0 means no bound. Over it: 414 CodeURITooLong.
	MaxURLBytes int
	// Latency is added to each RPC call before it is answered.
	Latency time.Duration
	// TransientFaultRate (0..1) is the share of ContinuouslyPush calls
	// answered 503 ServiceUnavailable with nothing delivered.
	TransientFaultRate float64
	// AmbiguousFaultRate (0..1) is the share of successful ContinuouslyPush
	// calls that deliver and then fail as AmbiguousMode says.
	AmbiguousFaultRate float64
	// AmbiguousMode is AmbiguousError (default) or AmbiguousDrop.
	AmbiguousMode string
	// ThrottleRate (0..1) is the share of ContinuouslyPush calls answered
	// Throttling.User although under their quota.
	ThrottleRate float64
	// Seed seeds the fault RNG; 0 means a time-based seed.
	Seed int64
}

// Answer is an error answer: a code and its HTTP status.
type Answer struct {
	Code   string
	Status int
}

// Codes are the answers to conditions the documentation describes
// without a code. PageContinuouslyPush says pushes "are not allowed after
// expiration or after reaching the total push limit" but not what the
// service answers; these are the simulator's assumptions.
type Codes struct {
	// MessageNotFound answers a MessageId the AppKey does not have, or one
	// that is not a TBD message.
	MessageNotFound Answer
	// MessageExpired answers a push to a message past its lifetime.
	MessageExpired Answer
	// MessageCompleted answers a push to a completed message.
	MessageCompleted Answer
	// MessageLimitExceeded answers a push over the message's total.
	MessageLimitExceeded Answer
}

// DefaultCodes are the answers Config.Codes defaults to.
var DefaultCodes = Codes{
	MessageNotFound:      Answer{"MessageNotFound", http.StatusNotFound},
	MessageExpired:       Answer{"MessageExpired", http.StatusBadRequest},
	MessageCompleted:     Answer{"MessageCompleted", http.StatusBadRequest},
	MessageLimitExceeded: Answer{"MessageLimitExceeded", http.StatusBadRequest},
}

// Validate reports the first field of c that New cannot use.
func (c Config) Validate() error {
	switch {
	case c.MessageTTL < 0:
		return fieldError("MessageTTL", c.MessageTTL, "must not be negative")
	case c.MessageLimit < 0:
		return fieldError("MessageLimit", c.MessageLimit, "must not be negative")
	case c.LimitUnit != "" && c.LimitUnit != UnitTargets && c.LimitUnit != UnitCalls:
		return fieldError("LimitUnit", c.LimitUnit, "must be targets or calls")
	case c.Latency < 0:
		return fieldError("Latency", c.Latency, "must not be negative")
	case c.StatSettle < 0:
		return fieldError("StatSettle", c.StatSettle, "must not be negative")
	case c.MaxURLBytes < 0:
		return fieldError("MaxURLBytes", c.MaxURLBytes, "must not be negative")
	case c.AmbiguousMode != "" && c.AmbiguousMode != AmbiguousError && c.AmbiguousMode != AmbiguousDrop:
		return fieldError("AmbiguousMode", c.AmbiguousMode, "must be error or drop")
	}
	if err := validateRates(c.TransientFaultRate, c.AmbiguousFaultRate, c.ThrottleRate); err != nil {
		return err
	}
	if err := validateFractions(c.ReceivedFraction, c.OpenedFraction); err != nil {
		return err
	}
	if err := validateQuotas(c.QPS, c.Burst, c.APIQPS); err != nil {
		return err
	}
	if err := validateCredentials(c.credentials()); err != nil {
		return err
	}
	return validateCodes(c.Codes)
}

func validateRates(transient, ambiguous, throttle float64) error {
	rates := []struct {
		name string
		v    float64
	}{{"TransientFaultRate", transient}, {"AmbiguousFaultRate", ambiguous}, {"ThrottleRate", throttle}}
	for _, r := range rates {
		if !(r.v >= 0 && r.v <= 1) {
			return fieldError(r.name, r.v, "must be between 0 and 1")
		}
	}
	return nil
}

func validateFractions(received, opened float64) error {
	if !(received >= 0 && received <= 1) {
		return fieldError("ReceivedFraction", received, "must be between 0 and 1")
	}
	if !(opened >= 0 && opened <= 1) {
		return fieldError("OpenedFraction", opened, "must be between 0 and 1")
	}
	return nil
}

func validateQuotas(qps map[string]float64, burst map[string]int, apiQPS map[string]float64) error {
	for action, q := range qps {
		if !(q >= 0) {
			return fieldError("QPS["+action+"]", q, "must not be negative")
		}
	}
	for action, b := range burst {
		if b < 0 {
			return fieldError("Burst["+action+"]", b, "must not be negative")
		}
	}
	for action, q := range apiQPS {
		if !(q >= 0) {
			return fieldError("APIQPS["+action+"]", q, "must not be negative")
		}
	}
	return nil
}

func validateCredentials(creds []Credential) error {
	seen := make(map[string]bool, len(creds))
	for i, c := range creds {
		field := fmt.Sprintf("Credentials[%d]", i)
		if err := c.validate(); err != nil {
			return fmt.Errorf("pushsim: Config.%s: %w", field, err)
		}
		if seen[c.AccessKeyID] {
			return fieldError(field+".AccessKeyID", c.AccessKeyID, "is given twice")
		}
		seen[c.AccessKeyID] = true
	}
	return nil
}

func validateCodes(c Codes) error {
	for name, a := range c.byName() {
		if a.Status != 0 && (a.Status < 400 || a.Status > 599) {
			return fieldError("Codes."+name+".Status", a.Status, "must be a 4xx or 5xx status")
		}
	}
	return nil
}

// byName returns the answers of c by field name.
func (c Codes) byName() map[string]Answer {
	return map[string]Answer{
		"MessageNotFound": c.MessageNotFound, "MessageExpired": c.MessageExpired,
		"MessageCompleted": c.MessageCompleted, "MessageLimitExceeded": c.MessageLimitExceeded,
	}
}

// orString returns s, or def when s is empty.
func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func fieldError(field string, value any, problem string) error {
	return fmt.Errorf("pushsim: Config.%s = %v: %s", field, value, problem)
}

// withDefaults returns c with its zero values replaced by the defaults.
func (c Config) withDefaults() Config {
	c.Credentials = c.credentials()
	if c.MessageTTL == 0 {
		c.MessageTTL = DefaultMessageTTL
	}
	if c.MessageLimit == 0 {
		c.MessageLimit = DefaultMessageLimit
	}
	if c.LimitUnit == "" {
		c.LimitUnit = UnitTargets
	}
	if c.AmbiguousMode == "" {
		c.AmbiguousMode = AmbiguousError
	}
	if c.Seed == 0 {
		c.Seed = time.Now().UnixNano()
	}
	if c.ReceivedFraction == 0 {
		c.ReceivedFraction = DefaultReceivedFraction
	}
	if c.OpenedFraction == 0 {
		c.OpenedFraction = DefaultOpenedFraction
	}
	c.Codes = c.Codes.withDefaults()
	return c
}

// credentials returns the credentials c describes: Credentials, then the
// AccessKeyID pair, or the test pair when there are none.
func (c Config) credentials() []Credential {
	out := append([]Credential(nil), c.Credentials...)
	if c.AccessKeyID != "" || c.AccessKeySecret != "" {
		out = append(out, Credential{AccessKeyID: orString(c.AccessKeyID, TestAccessKeyID),
			AccessKeySecret: orString(c.AccessKeySecret, TestAccessKeySecret)})
	}
	if len(out) == 0 {
		out = append(out, Credential{AccessKeyID: TestAccessKeyID, AccessKeySecret: TestAccessKeySecret})
	}
	for i := range out {
		out[i] = out[i].withDefaults()
	}
	return out
}

// withDefaults fills the zero fields of c from DefaultCodes.
func (c Codes) withDefaults() Codes {
	fill := func(a *Answer, d Answer) {
		if a.Code == "" {
			a.Code = d.Code
		}
		if a.Status == 0 {
			a.Status = d.Status
		}
	}
	fill(&c.MessageNotFound, DefaultCodes.MessageNotFound)
	fill(&c.MessageExpired, DefaultCodes.MessageExpired)
	fill(&c.MessageCompleted, DefaultCodes.MessageCompleted)
	fill(&c.MessageLimitExceeded, DefaultCodes.MessageLimitExceeded)
	return c
}
