package push

import "testing"

// TestRateDefaults checks that each default rate, with the limiter's burst
// of a tenth of a second's calls, stays within its documented quota
// (help.aliyun.com document 2249912) in any window of the quota's length.
func TestRateDefaults(t *testing.T) {
	tests := []struct {
		name   string
		rate   int
		quota  int
		window int // seconds
	}{
		{"ContinuouslyPush", RateContinuouslyPushDefault, QuotaContinuouslyPush, 1},
		{"Push", RatePushDefault, QuotaPush, 60},
		{"CompleteContinuouslyPush", RateCompleteDefault, QuotaComplete, 60},
		{"QueryPushStatByMsg", RateQueryStatsDefault, QuotaQueryStats, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rate <= 0 {
				t.Fatalf("rate = %d, want positive", tt.rate)
			}
			if tt.window == 1 {
				if tt.rate != tt.quota {
					t.Errorf("rate = %d/s, want the quota %d/s", tt.rate, tt.quota)
				}
				return
			}
			if most := tt.rate*tt.window + max(1, tt.rate/10); most > tt.quota {
				t.Errorf("rate %d/s allows %d calls in %ds, over the quota %d", tt.rate, most, tt.window, tt.quota)
			}
		})
	}
}
