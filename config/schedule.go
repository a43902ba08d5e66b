package config

import (
	"fmt"
	"strings"
	"time"
)

// Schedule is a list of offsets in increasing order, such as the
// refreshes of a job's delivery statistics after its end. It is written
// "1m,10m,1h"; "off" is the empty list.
type Schedule []time.Duration

// maxSchedule bounds the offsets of a Schedule.
const maxSchedule = 20

// String writes s as it is set: "1m,10m,1h", or "off".
func (s Schedule) String() string {
	if len(s) == 0 {
		return "off"
	}
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = shortDuration(d)
	}
	return strings.Join(parts, ",")
}

// MarshalYAML writes s as its String, for the redacted configuration.
func (s Schedule) MarshalYAML() (any, error) { return s.String(), nil }

// shortDuration is d as a person writes it: 1m, not 1m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// parseSchedule reads "1m,10m,1h" or "off".
func parseSchedule(v string) (Schedule, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "off") {
		return Schedule{}, nil
	}
	var s Schedule
	for _, part := range strings.Split(v, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("must be durations such as 1m,10m,1h, or off, not %q", v)
		}
		s = append(s, d)
	}
	return s, s.check()
}

// check states the rule a Schedule breaks: positive, increasing, at most
// maxSchedule offsets.
func (s Schedule) check() error {
	if len(s) > maxSchedule {
		return fmt.Errorf("must have at most %d durations, not %d", maxSchedule, len(s))
	}
	for i, d := range s {
		if d <= 0 || (i > 0 && d <= s[i-1]) {
			return fmt.Errorf("must be positive durations in increasing order, such as 1m,10m,1h, or off, not %s", s)
		}
	}
	return nil
}

// schedule sets a Schedule field from "1m,10m,1h" or "off".
func schedule[S any](p func(*S) *Schedule) setter[S] {
	return func(s *S, v string) error {
		sch, err := parseSchedule(v)
		if err != nil {
			return err
		}
		*p(s) = sch
		return nil
	}
}
