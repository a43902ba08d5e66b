package push

import "testing"

func TestClassifyCode(t *testing.T) {
	tests := []struct {
		name      string
		code      string
		status    int
		want      Class
		ambiguous bool
	}{
		{"throttling user", "Throttling.User", 400, ClassWait, false},
		{"throttling api", "Throttling.Api", 400, ClassWait, false},
		{"throttling plain", "Throttling", 503, ClassWait, false},
		{"service unavailable", "ServiceUnavailable", 503, ClassTransient, false},
		{"internal error", "InternalError", 500, ClassTransient, true},
		{"unknown 5xx", "SomethingBroke", 502, ClassTransient, true},
		{"gateway timeout", "", 504, ClassTransient, true},
		{"nonce used", "SignatureNonceUsed", 400, ClassTransient, false},
		{"message expired", "MessageExpired", 400, ClassRollover, false},
		{"message over limit", "MessageLimitExceeded", 400, ClassRollover, false},
		{"message unknown", "MessageNotFound", 404, ClassRollover, false},
		{"message completed", "MessageCompleted", 400, ClassRollover, false},
		{"invalid parameter", "InvalidParameter", 400, ClassPermanent, false},
		{"invalid parameter sub", "InvalidParameter.TargetValue", 400, ClassPermanent, false},
		{"missing param", "MissingMessageId", 400, ClassPermanent, false},
		{"signature", "SignatureDoesNotMatch", 400, ClassPermanent, false},
		{"access key", "InvalidAccessKeyId.NotFound", 404, ClassPermanent, false},
		{"forbidden", "Forbidden.RAM", 403, ClassPermanent, false},
		{"permission", "PermissionDenied", 403, ClassPermanent, false},
		{"unknown 4xx", "Whatever", 400, ClassPermanent, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassifyCode(tt.code, tt.status); got != tt.want {
				t.Errorf("ClassifyCode(%q, %d) = %v, want %v", tt.code, tt.status, got, tt.want)
			}
			if got := AmbiguousCode(tt.code, tt.status); got != tt.ambiguous {
				t.Errorf("AmbiguousCode(%q, %d) = %v, want %v", tt.code, tt.status, got, tt.ambiguous)
			}
		})
	}
}
