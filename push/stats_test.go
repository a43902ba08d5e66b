package push_test

import (
	"testing"

	"github.com/cpush/cpush/push"
)

func TestStats_Values(t *testing.T) {
	s := push.Stats{Accepted: 1, Sent: 2, Received: 3, Opened: 4, Deleted: 5, SMSSent: 6, SMSSkipped: 7,
		SMSFailed: 8, SMSReceived: 9, SMSReceiveFailed: 10}
	if got := push.StatsOf(s.Values()); got != s {
		t.Errorf("StatsOf(Values()) = %+v, want %+v", got, s)
	}
	if got := s.Add(s); got.SMSReceiveFailed != 20 || got.Accepted != 2 {
		t.Errorf("Add = %+v, want every count doubled", got)
	}
}
