package pushsim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
)

func TestServer_ContinuouslyPush(t *testing.T) {
	t.Run("delivers and counts", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		id := e.createMessage(t, testAppKey)
		devices, accounts := values("dev", 1000), values("acct", 3)
		resp, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, devices)
		if err != nil {
			t.Fatalf("ContinuouslyPush: %v", err)
		}
		if resp.MessageId != id || resp.RequestId == "" {
			t.Errorf("got MessageId %q RequestId %q, want %q and a request id", resp.MessageId, resp.RequestId, id)
		}
		if _, err := e.pushValues(testAppKey, id, pushsim.TargetAccount, accounts); err != nil {
			t.Fatalf("ContinuouslyPush: %v", err)
		}
		st := e.sim.Stats()
		wantDelivered(t, st, pushsim.TargetDevice, devices, 1)
		wantDelivered(t, st, pushsim.TargetAccount, accounts, 1)
		if got, want := len(st.Deliveries), 1003; got != want {
			t.Errorf("got %d delivery keys, want %d", got, want)
		}
		m := st.PerMessage[id]
		if m.Calls != 2 || m.Targets != 1003 || m.Used != 1003 {
			t.Errorf("got Calls %d Targets %d Used %d, want 2, 1003, 1003", m.Calls, m.Targets, m.Used)
		}
		if st.Duplicates != 0 || len(st.Violations) != 0 || st.MaxValuesPerCall != 1000 {
			t.Errorf("got Duplicates %d Violations %v MaxValuesPerCall %d, want 0, none, 1000",
				st.Duplicates, st.Violations, st.MaxValuesPerCall)
		}
		wantCalls(t, st, pushsim.ActionContinuouslyPush, pushsim.StatOK, 2)
	})
	t.Run("counts a second delivery as a duplicate", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		id := e.createMessage(t, testAppKey)
		for range 2 {
			if _, err := e.pushValues(testAppKey, id, pushsim.TargetAlias, "a,b"); err != nil {
				t.Fatalf("ContinuouslyPush: %v", err)
			}
		}
		st := e.sim.Stats()
		wantDelivered(t, st, pushsim.TargetAlias, "a,b", 2)
		if st.Duplicates != 2 || st.PerMessage[id].Duplicates != 2 {
			t.Errorf("got Duplicates %d, message Duplicates %d, want 2 and 2",
				st.Duplicates, st.PerMessage[id].Duplicates)
		}
	})
	t.Run("counts a target reached by two messages as a duplicate", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		first, second := e.createMessage(t, testAppKey), e.createMessage(t, testAppKey)
		for _, id := range []string{first, second} {
			if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "x"); err != nil {
				t.Fatalf("ContinuouslyPush: %v", err)
			}
		}
		if _, err := e.pushValues(testAppKey, second, pushsim.TargetAccount, "x"); err != nil {
			t.Fatalf("ContinuouslyPush: %v", err)
		}
		st := e.sim.Stats()
		if got := st.Delivered(pushsim.TargetDevice, "x"); got != 2 {
			t.Errorf("got DEVICE:x delivered %d times, want 2", got)
		}
		if got := st.Delivered(pushsim.TargetAccount, "x"); got != 1 {
			t.Errorf("got ACCOUNT:x delivered %d times, want 1 (target types are apart)", got)
		}
		if st.Duplicates != 1 || st.PerMessage[first].Duplicates != 0 || st.PerMessage[second].Duplicates != 0 {
			t.Errorf("got Duplicates %d (messages %d, %d), want 1 (0, 0)",
				st.Duplicates, st.PerMessage[first].Duplicates, st.PerMessage[second].Duplicates)
		}
	})
	t.Run("Stats is a deep copy", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		id := e.createMessage(t, testAppKey)
		st := e.sim.Stats()
		st.Calls[pushsim.ActionPush][pushsim.StatOK] = 99
		st.PerMessage[id] = pushsim.MessageStats{}
		if got := e.sim.Stats(); got.Calls[pushsim.ActionPush][pushsim.StatOK] != 1 || got.PerMessage[id].AppKey != testAppKey {
			t.Errorf("changing a snapshot changed the simulator: %+v", got)
		}
	})
}

func TestServer_ContinuouslyPush_refusals(t *testing.T) {
	e := setup(t, pushsim.Config{})
	id := e.createMessage(t, testAppKey)
	other := e.createMessage(t, testAppKey+1)
	tests := []struct {
		name      string
		appKey    int64
		messageID string
		target    string
		values    string
		code      string
		status    int
		violation bool
	}{
		{"1,001 values", testAppKey, id, pushsim.TargetDevice, values("d", 1001), "InvalidTargetValue", 400, true},
		{"an empty value", testAppKey, id, pushsim.TargetDevice, "a,,b", "InvalidTargetValue", 400, true},
		{"a trailing comma", testAppKey, id, pushsim.TargetDevice, "a,b,", "InvalidTargetValue", 400, true},
		{"TAG target", testAppKey, id, "TAG", "vip", "InvalidTarget", 400, true},
		{"TBD target", testAppKey, id, pushsim.TargetTBD, "a", "InvalidTarget", 400, true},
		{"unknown MessageId", testAppKey, "999999999", pushsim.TargetDevice, "a", codes.MessageNotFound.Code, 404, true},
		{"message of another AppKey", testAppKey, other, pushsim.TargetDevice, "a", codes.MessageNotFound.Code, 404, true},
		{"no MessageId", testAppKey, "", pushsim.TargetDevice, "a", "MissingMessageId", 400, false},
		{"no Target", testAppKey, id, "", "a", "MissingTarget", 400, false},
		{"no TargetValue", testAppKey, id, pushsim.TargetDevice, "", "MissingTargetValue", 400, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.sim.Stats()
			_, err := e.pushValues(tt.appKey, tt.messageID, tt.target, tt.values)
			wantServerError(t, err, tt.code, tt.status)
			after := e.sim.Stats()
			if len(after.Deliveries) != 0 {
				t.Errorf("got %d deliveries, want none", len(after.Deliveries))
			}
			got := after.Violations[tt.code] - before.Violations[tt.code]
			if want := map[bool]int{true: 1}[tt.violation]; got != want {
				t.Errorf("got %d new violations %s, want %d", got, tt.code, want)
			}
		})
	}
	if got := e.sim.Stats().MaxValuesPerCall; got != 1001 {
		t.Errorf("got MaxValuesPerCall %d, want 1001", got)
	}
}

func TestServer_ContinuouslyPush_limit(t *testing.T) {
	tests := []struct {
		name     string
		unit     string
		fill     int // calls of 3 values that fit
		wantUsed int
	}{
		{"targets unit", pushsim.UnitTargets, 3, 9}, // limit 10: 3+3+3 fits, +3 does not
		{"calls unit", pushsim.UnitCalls, 10, 10},   // limit 10: ten calls fit, the 11th does not
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, pushsim.Config{MessageLimit: 10, LimitUnit: tt.unit})
			id := e.createMessage(t, testAppKey)
			for i := range tt.fill {
				if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, values(string(rune('a'+i)), 3)); err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, values("over", 3))
			wantServerError(t, err, codes.MessageLimitExceeded.Code, http.StatusBadRequest)
			st := e.sim.Stats()
			wantDelivered(t, st, pushsim.TargetDevice, values("over", 3), 0)
			if got := st.PerMessage[id].Used; got != tt.wantUsed {
				t.Errorf("got Used %d, want %d", got, tt.wantUsed)
			}
			if got := st.Violations[codes.MessageLimitExceeded.Code]; got != 1 {
				t.Errorf("got %d MessageLimitExceeded violations, want 1", got)
			}
		})
	}
	t.Run("exactly the limit fits", func(t *testing.T) {
		e := setup(t, pushsim.Config{MessageLimit: 2000})
		id := e.createMessage(t, testAppKey)
		for i, prefix := range []string{"x", "y"} {
			if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, values(prefix, 1000)); err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "z")
		wantServerError(t, err, codes.MessageLimitExceeded.Code, http.StatusBadRequest)
	})
}

func TestServer_ContinuouslyPush_lifetime(t *testing.T) {
	t.Run("expired after Advance(25h)", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		id := e.createMessage(t, testAppKey)
		e.sim.Advance(23 * time.Hour)
		if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "early"); err != nil {
			t.Fatalf("before expiry: %v", err)
		}
		e.sim.Advance(2 * time.Hour)
		_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "late")
		wantServerError(t, err, codes.MessageExpired.Code, http.StatusBadRequest)
		st := e.sim.Stats()
		wantDelivered(t, st, pushsim.TargetDevice, "late", 0)
		if got := st.Violations[codes.MessageExpired.Code]; got != 1 {
			t.Errorf("got %d MessageExpired violations, want 1", got)
		}
	})
	t.Run("completed message refused", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		id := e.createMessage(t, testAppKey)
		if _, err := e.client.CompleteContinuouslyPush(e.completeRequest(testAppKey, id)); err != nil {
			t.Fatalf("CompleteContinuouslyPush: %v", err)
		}
		_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "a")
		wantServerError(t, err, codes.MessageCompleted.Code, http.StatusBadRequest)
		if got := len(e.sim.Stats().Deliveries); got != 0 {
			t.Errorf("got %d deliveries, want none", got)
		}
	})
}

func TestServer_CompleteContinuouslyPush(t *testing.T) {
	e := setup(t, pushsim.Config{})
	id := e.createMessage(t, testAppKey)
	t.Run("completes once", func(t *testing.T) {
		resp, err := e.client.CompleteContinuouslyPush(e.completeRequest(testAppKey, id))
		if err != nil {
			t.Fatalf("CompleteContinuouslyPush: %v", err)
		}
		if resp.MessageId != id {
			t.Errorf("got MessageId %q, want %q", resp.MessageId, id)
		}
		if !e.sim.Stats().PerMessage[id].Completed {
			t.Error("got message not completed")
		}
		_, err = e.client.CompleteContinuouslyPush(e.completeRequest(testAppKey, id))
		wantServerError(t, err, codes.MessageCompleted.Code, codes.MessageCompleted.Status)
		if got := e.sim.Stats().Violations; len(got) != 0 {
			t.Errorf("got violations %v, want none: completing twice is no client bug", got)
		}
	})
	t.Run("an expired message", func(t *testing.T) {
		id := e.createMessage(t, testAppKey)
		e.sim.Advance(pushsim.DefaultMessageTTL)
		_, err := e.client.CompleteContinuouslyPush(e.completeRequest(testAppKey, id))
		wantServerError(t, err, codes.MessageExpired.Code, codes.MessageExpired.Status)
	})
	tests := []struct {
		name      string
		appKey    int64
		messageID string
		code      string
		status    int
	}{
		{"unknown MessageId", testAppKey, "42", codes.MessageNotFound.Code, http.StatusNotFound},
		{"another AppKey", testAppKey + 1, id, codes.MessageNotFound.Code, http.StatusNotFound},
		{"no MessageId", testAppKey, "", "MissingMessageId", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.CompleteContinuouslyPush(e.completeRequest(tt.appKey, tt.messageID))
			wantServerError(t, err, tt.code, tt.status)
		})
	}
	st := e.sim.Stats()
	wantCalls(t, st, pushsim.ActionCompleteContinuouslyPush, pushsim.StatOK, 1)
	wantCalls(t, st, pushsim.ActionCompleteContinuouslyPush, codes.MessageNotFound.Code, 2)
}
