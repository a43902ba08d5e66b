package pushsim

import (
	"fmt"
	"time"

	"github.com/cpush/cpush/push"
)

// TestAccessKeyID is the AccessKey ID the simulator accepts when
// Config.AccessKeyID is empty. It is a documented test value, not a secret.
const TestAccessKeyID = "cpush-sim-test-id"

// TestAccessKeySecret is the AccessKey secret the simulator accepts when
// Config.AccessKeySecret is empty. It is a documented test value, not a secret.
const TestAccessKeySecret = "cpush-sim-test-secret"

// Modes of an ambiguous fault (Config.AmbiguousMode).
const (
	// AmbiguousError delivers, then answers 500 InternalError.
	AmbiguousError = "error"
	// AmbiguousDrop delivers, then closes the connection with no answer.
	AmbiguousDrop = "drop"
)

// Defaults of Config's zero values.
const (
	DefaultMessageTTL   = 24 * time.Hour
	DefaultMessageLimit = 10000
)

// Config sets up a simulator. Its zero value is the real service's rules
// with the test AccessKey pair, no quotas and no faults.
type Config struct {
	// AccessKeyID and AccessKeySecret are the only credentials accepted;
	// "" means TestAccessKeyID and TestAccessKeySecret.
	AccessKeyID, AccessKeySecret string
	// MessageTTL is how long a stored message lives (default 24h).
	MessageTTL time.Duration
	// MessageLimit is the most pushes per MessageId (default 10000).
	MessageLimit int
	// LimitUnit says what a push is: push.UnitTargets (default, one per
	// target value) or push.UnitCalls (one per ContinuouslyPush call).
	LimitUnit string
	// QPS is the quota per action name (push.ActionContinuouslyPush, ...);
	// 0 or missing means unlimited. Over it the simulator answers 400
	// Throttling.User.
	QPS map[string]float64
	// Burst is the token bucket size per action; 0 or missing means
	// max(1, int(QPS[action])).
	Burst map[string]int
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

// Validate reports the first field of c that New cannot use.
func (c Config) Validate() error {
	switch {
	case c.MessageTTL < 0:
		return fieldError("MessageTTL", c.MessageTTL, "must not be negative")
	case c.MessageLimit < 0:
		return fieldError("MessageLimit", c.MessageLimit, "must not be negative")
	case c.LimitUnit != "" && c.LimitUnit != push.UnitTargets && c.LimitUnit != push.UnitCalls:
		return fieldError("LimitUnit", c.LimitUnit, "must be targets or calls")
	case c.Latency < 0:
		return fieldError("Latency", c.Latency, "must not be negative")
	case c.AmbiguousMode != "" && c.AmbiguousMode != AmbiguousError && c.AmbiguousMode != AmbiguousDrop:
		return fieldError("AmbiguousMode", c.AmbiguousMode, "must be error or drop")
	}
	if err := validateRates(c.TransientFaultRate, c.AmbiguousFaultRate, c.ThrottleRate); err != nil {
		return err
	}
	return validateQuotas(c.QPS, c.Burst)
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

func validateQuotas(qps map[string]float64, burst map[string]int) error {
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
	return nil
}

func fieldError(field string, value any, problem string) error {
	return fmt.Errorf("pushsim: Config.%s = %v: %s", field, value, problem)
}

// withDefaults returns c with its zero values replaced by the defaults.
func (c Config) withDefaults() Config {
	if c.AccessKeyID == "" {
		c.AccessKeyID = TestAccessKeyID
	}
	if c.AccessKeySecret == "" {
		c.AccessKeySecret = TestAccessKeySecret
	}
	if c.MessageTTL == 0 {
		c.MessageTTL = DefaultMessageTTL
	}
	if c.MessageLimit == 0 {
		c.MessageLimit = DefaultMessageLimit
	}
	if c.LimitUnit == "" {
		c.LimitUnit = push.UnitTargets
	}
	if c.AmbiguousMode == "" {
		c.AmbiguousMode = AmbiguousError
	}
	if c.Seed == 0 {
		c.Seed = time.Now().UnixNano()
	}
	return c
}
