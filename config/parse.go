package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cpush/cpush/push"
)

// setter parses one value, from the environment or a YAML scalar, into a
// field of S. Its error states the rule: "must be ..., not "abc"".
type setter[S any] func(s *S, v string) error

// text sets a string field to v without its surrounding spaces.
func text[S any, T ~string](p func(*S) *T) setter[S] {
	return func(s *S, v string) error {
		*p(s) = T(strings.TrimSpace(v))
		return nil
	}
}

// secret sets a Secret field to v as it is.
func secret[S any](p func(*S) *Secret) setter[S] {
	return func(s *S, v string) error {
		*p(s) = Secret(v)
		return nil
	}
}

// integer sets an integer field to v, which must be in r.
func integer[S any, N ~int | ~int64](p func(*S) *N, r intRange) setter[S] {
	return func(s *S, v string) error {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || !r.contains(n) {
			return fmt.Errorf("must be %s, not %q", r, v)
		}
		*p(s) = N(n)
		return nil
	}
}

// boolean sets a bool field to v: true or false (also 1 or 0).
func boolean[S any](p func(*S) *bool) setter[S] {
	return func(s *S, v string) error {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("must be true or false, not %q", v)
		}
		*p(s) = b
		return nil
	}
}

// duration sets a time.Duration field to v, which must be in r.
func duration[S any](p func(*S) *time.Duration, r durationRule) setter[S] {
	return func(s *S, v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || !r.contains(d) {
			return fmt.Errorf("must be %s, not %q", r, v)
		}
		*p(s) = d
		return nil
	}
}

// oneOf sets a string field to v in lower case, which must be in values.
func oneOf[S any](p func(*S) *string, values ...string) setter[S] {
	return func(s *S, v string) error {
		v = strings.ToLower(strings.TrimSpace(v))
		if err := checkOneOf(v, values); err != nil {
			return err
		}
		*p(s) = v
		return nil
	}
}

// address sets HTTPAddr; "off" stands for "", which the environment cannot
// say.
func address(c *Config, v string) error {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "off") {
		v = ""
	}
	c.HTTPAddr = v
	return nil
}

// tokens sets a list of tokens to the non-empty items of a list.
func tokens(p func(*Config) *[]Secret) func(c *Config, vs []string) error {
	return func(c *Config, vs []string) error {
		list := p(c)
		*list = nil
		for _, v := range vs {
			if v = strings.TrimSpace(v); v != "" {
				*list = append(*list, Secret(v))
			}
		}
		return nil
	}
}

// stringList sets a list of strings to the non-empty items of a list,
// without their surrounding spaces.
func stringList(p func(*Config) *[]string) func(c *Config, vs []string) error {
	return func(c *Config, vs []string) error {
		list := p(c)
		*list = nil
		for _, v := range vs {
			if v = strings.TrimSpace(v); v != "" {
				*list = append(*list, v)
			}
		}
		return nil
	}
}

// intRange is an inclusive range of integers; max 0 means no upper bound.
type intRange struct{ min, max int64 }

var (
	positive           = intRange{min: 1}
	concurrency        = intRange{min: 1, max: 10000}
	webhookConcurrency = intRange{min: 1, max: 1000}
	uploads            = intRange{min: 1, max: 100}
	// valuesPerCall: ContinuouslyPush takes at most push.MaxTargetsPerCall
	// values a call (help.aliyun.com document 2249917).
	valuesPerCall = intRange{min: 1, max: push.MaxTargetsPerCall}
	retries       = intRange{min: 0, max: 100}
	minReplicas   = intRange{min: 0, max: 5}
)

func (r intRange) contains(n int64) bool { return n >= r.min && (r.max == 0 || n <= r.max) }

// String states the rule: "an integer from 1 to 10000".
func (r intRange) String() string {
	switch {
	case r.max != 0:
		return fmt.Sprintf("an integer from %d to %d", r.min, r.max)
	case r.min == 1:
		return "a positive integer"
	default:
		return fmt.Sprintf("an integer of at least %d", r.min)
	}
}

// durationRule says whether a duration may be 0; none may be negative.
type durationRule struct{ zeroOK bool }

var (
	positiveDuration    = durationRule{}
	nonNegativeDuration = durationRule{zeroOK: true}
)

func (r durationRule) contains(d time.Duration) bool { return d > 0 || (r.zeroOK && d == 0) }

// String states the rule: "a positive duration such as 30s or 24h".
func (r durationRule) String() string {
	if r.zeroOK {
		return "a duration of 0 or more such as 0s or 10m"
	}
	return "a positive duration such as 30s or 24h"
}

func checkOneOf(v string, values []string) error {
	for _, ok := range values {
		if v == ok {
			return nil
		}
	}
	return fmt.Errorf("must be one of %s, not %q", strings.Join(values, ", "), v)
}

func itoa(n int) string { return strconv.Itoa(n) }

// splitList splits a comma-separated environment value.
func splitList(v string) []string { return strings.Split(v, ",") }
