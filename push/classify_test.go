package push

import "testing"

// TestClassifyCode has every documented code with the HTTP status its
// page gives, and the page (help.aliyun.com document numbers); the codes
// with no page are marked so.
func TestClassifyCode(t *testing.T) {
	tests := []struct {
		code      string
		status    int
		page      string
		want      Class
		ambiguous bool
	}{
		// Mobile Push's OpenAPI error code table, client errors.
		{"InvalidProduct.NotFound", 404, "48054", ClassPermanent, false},
		{"InvalidApi.NotFound", 404, "48054", ClassPermanent, false},
		{"InvalidProtocol.NeedSsl", 404, "48054", ClassPermanent, false},
		{"MissingMessageId", 400, "48054 (Missing{ParameterName})", ClassPermanent, false},
		{"MissingTargetValue", 400, "48054 (Missing{ParameterName})", ClassPermanent, false},
		{"InvalidAccessKeyId.NotFound", 400, "48054", ClassPermanent, false},
		{"InvalidTimeStamp.Format", 400, "48054", ClassPermanent, false},
		{"InvalidTimeStamp.Expired", 400, "48054", ClassClock, false},
		{"SignatureNonceUsed", 400, "48054", ClassTransient, false},
		{"SignatureDoesNotMatch", 400, "48054", ClassPermanent, false},
		{"Throttling.User", 400, "48054", ClassWait, false},
		{"Throttling.Api", 400, "48054", ClassWait, false},
		{"Forbidden", 403, "48054", ClassPermanent, false},
		{"InternalError", 400, "48054", ClassTransient, true},
		// Its server error.
		{"ServiceUnavailable", 403, "48054", ClassTransient, false},
		{"ServiceUnavailable", 503, "48054 (any status)", ClassTransient, false},

		// The Push API's own codes.
		{"InvalidTitle.Format", 400, "2249916 (Invalid%s.Format)", ClassPermanent, false},
		{"InvalidBody.Empty", 400, "2249916 (Invalid%s.Empty)", ClassPermanent, false},
		{"Invalid.Parameter", 400, "2249916", ClassPermanent, false},
		{"Timeout", 500, "2249916", ClassTransient, true},
		{"InternalError", 500, "2249916", ClassTransient, true},
		{"LimitExceed", 400, "58681 (ExpireTime before now + 3 s)", ClassPermanent, false},

		// The gateway's common client codes.
		{"MissingParameter", 400, "51132", ClassPermanent, false},
		{"InvalidParameter", 400, "51132", ClassPermanent, false},
		{"InvalidParameter.TargetValue", 400, "51132 (a sub-code)", ClassPermanent, false},
		{"IncompleteSignature", 400, "51132", ClassPermanent, false},
		{"IllegalTimestamp", 400, "51132", ClassPermanent, false},
		{"Throttling", 400, "51132", ClassWait, false},
		{"InvalidAction", 403, "51132", ClassPermanent, false},
		{"ActionUnauthorized", 403, "51132", ClassPermanent, false},
		{"Forbidden.RAM", 403, "51132", ClassPermanent, false},
		{"Forbidden.RiskControl", 403, "51132", ClassPermanent, false},
		{"InvalidAccessKeyId.Inactive", 400, "42775 (STS)", ClassPermanent, false},

		// No page found: classified by their meaning.
		{"InvalidSecurityToken.Expired", 400, "none: an STS token to refresh", ClassTransient, false},
		{"InvalidSecurityToken.Malformed", 400, "none: Invalid*", ClassPermanent, false},
		{"PermissionDenied", 403, "none", ClassPermanent, false},
		{"SomethingBroke", 502, "none: any 5xx", ClassTransient, true},
		{"", 504, "none: a gateway timeout", ClassTransient, true},
		{"Whatever", 400, "none: any other 4xx", ClassPermanent, false},

		// The simulator's codes for the documented message refusals.
		{"MessageExpired", 400, "simulator", ClassRollover, false},
		{"MessageLimitExceeded", 400, "simulator", ClassRollover, false},
		{"MessageNotFound", 404, "simulator", ClassRollover, false},
		{"MessageCompleted", 400, "simulator", ClassRollover, false},
	}
	for _, tt := range tests {
		t.Run(tt.code+" "+tt.page, func(t *testing.T) {
			if got := ClassifyCode(tt.code, tt.status); got != tt.want {
				t.Errorf("ClassifyCode(%q, %d) = %v, want %v (page %s)", tt.code, tt.status, got, tt.want, tt.page)
			}
			if got := AmbiguousCode(tt.code, tt.status); got != tt.ambiguous {
				t.Errorf("AmbiguousCode(%q, %d) = %v, want %v", tt.code, tt.status, got, tt.ambiguous)
			}
		})
	}
}

func TestClass_String(t *testing.T) {
	for c, want := range map[Class]string{ClassTransient: "transient", ClassWait: "wait",
		ClassRollover: "rollover", ClassPermanent: "permanent", ClassClock: "clock"} {
		if got := c.String(); got != want {
			t.Errorf("Class(%d).String() = %q, want %q", c, got, want)
		}
	}
}
