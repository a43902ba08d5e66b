package pushsim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
)

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   pushsim.Config
		field string // "" when valid
	}{
		{"zero value", pushsim.Config{}, ""},
		{"calls unit", pushsim.Config{LimitUnit: "calls"}, ""},
		{"unknown unit", pushsim.Config{LimitUnit: "bytes"}, "LimitUnit"},
		{"negative limit", pushsim.Config{MessageLimit: -1}, "MessageLimit"},
		{"fault rate over 1", pushsim.Config{TransientFaultRate: 1.5}, "TransientFaultRate"},
		{"unknown mode", pushsim.Config{AmbiguousMode: "explode"}, "AmbiguousMode"},
		{"negative QPS", pushsim.Config{QPS: map[string]float64{"Push": -1}}, "QPS[Push]"},
		{"negative API QPS", pushsim.Config{APIQPS: map[string]float64{"Push": -1}}, "APIQPS[Push]"},
		{"received share over 1", pushsim.Config{ReceivedFraction: 1.1}, "ReceivedFraction"},
		{"opened share below 0", pushsim.Config{OpenedFraction: -0.1}, "OpenedFraction"},
		{"negative settle", pushsim.Config{StatSettle: -time.Second}, "StatSettle"},
		{"negative URL bound", pushsim.Config{MaxURLBytes: -1}, "MaxURLBytes"},
		{"credentials", pushsim.Config{Credentials: []pushsim.Credential{{AccessKeyID: "a", AccessKeySecret: "s", SecurityToken: "t"}}}, ""},
		{"credential without secret", pushsim.Config{Credentials: []pushsim.Credential{{AccessKeyID: "a"}}}, "Credentials[0]"},
		{"credential twice", pushsim.Config{Credentials: []pushsim.Credential{{AccessKeyID: "a", AccessKeySecret: "s"}, {AccessKeyID: "a", AccessKeySecret: "t"}}},
			"Credentials[1].AccessKeyID"},
		{"expiry without token", pushsim.Config{Credentials: []pushsim.Credential{{AccessKeyID: "a", AccessKeySecret: "s", Expires: time.Now()}}}, "Credentials[0]"},
		{"unknown deny code", pushsim.Config{Credentials: []pushsim.Credential{{AccessKeyID: "a", AccessKeySecret: "s", DenyCode: "Nope"}}}, "Credentials[0]"},
		{"code status 200", pushsim.Config{Codes: pushsim.Codes{MessageExpired: pushsim.Answer{Code: "Gone", Status: 200}}}, "Codes.MessageExpired.Status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.field != "" && (err == nil || !strings.Contains(err.Error(), "Config."+tt.field)):
				t.Errorf("got %v, want an error naming Config.%s", err, tt.field)
			}
		})
	}
}
