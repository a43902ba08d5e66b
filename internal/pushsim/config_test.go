package pushsim_test

import (
	"strings"
	"testing"

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
