package pushsim_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkpush "github.com/aliyun/alibaba-cloud-sdk-go/services/push"

	"github.com/cpush/cpush/internal/pushsim"
)

func TestServer_Push(t *testing.T) {
	t.Run("stores a TBD message", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		before := e.sim.Now()
		resp, err := e.client.Push(e.pushRequest(testAppKey))
		if err != nil {
			t.Fatalf("Push: %v", err)
		}
		if _, err := strconv.ParseInt(resp.MessageId, 10, 64); err != nil {
			t.Errorf("got MessageId %q, want a decimal id", resp.MessageId)
		}
		if resp.RequestId == "" {
			t.Error("got no RequestId")
		}
		st := e.sim.Stats()
		m, ok := st.PerMessage[resp.MessageId]
		if !ok {
			t.Fatalf("message %s not in stats: %v", resp.MessageId, st.PerMessage)
		}
		if m.AppKey != testAppKey || m.Completed || m.Used != 0 {
			t.Errorf("got %+v, want AppKey %d, not completed, unused", m, testAppKey)
		}
		if m.Created.Before(before) || m.ExpiresAt.Sub(m.Created) != pushsim.DefaultMessageTTL {
			t.Errorf("got Created %v ExpiresAt %v, want created after %v and living %v",
				m.Created, m.ExpiresAt, before, pushsim.DefaultMessageTTL)
		}
		if want := "Hello 你好"; m.Content.Title != want {
			t.Errorf("got Title %q, want %q", m.Content.Title, want)
		}
		if got := m.Content.Params; got["Body"] != e.pushRequest(testAppKey).Body || got["TargetValue"] != pushsim.TargetTBD || got["Signature"] != "" {
			t.Errorf("got Params %v, want the Push parameters without the common ones", got)
		}
		wantCalls(t, st, pushsim.ActionPush, pushsim.StatOK, 1)
	})
	t.Run("hands out distinct ids", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		a, b := e.createMessage(t, testAppKey), e.createMessage(t, testAppKey)
		if a == b {
			t.Errorf("got the same MessageId %s twice", a)
		}
	})
}

func TestServer_Push_refusals(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *sdkpush.PushRequest)
		code   string
	}{
		{"no AppKey", func(r *sdkpush.PushRequest) { r.AppKey = "" }, "MissingAppKey"},
		{"AppKey not a number", func(r *sdkpush.PushRequest) { r.AppKey = "abc" }, "InvalidAppKey.Format"},
		{"AppKey zero", func(r *sdkpush.PushRequest) { r.AppKey = requests.NewInteger(0) }, "InvalidAppKey"},
		{"no Target", func(r *sdkpush.PushRequest) { r.Target = "" }, "MissingTarget"},
		{"Target unknown", func(r *sdkpush.PushRequest) { r.Target = "NOPE" }, "InvalidTarget"},
		{"no TargetValue", func(r *sdkpush.PushRequest) { r.TargetValue = "" }, "MissingTargetValue"},
		{"TargetValue not TBD", func(r *sdkpush.PushRequest) { r.TargetValue = "ALL" }, "InvalidTargetValue"},
		{"no PushType", func(r *sdkpush.PushRequest) { r.PushType = "" }, "MissingPushType"},
		{"PushType unknown", func(r *sdkpush.PushRequest) { r.PushType = "SMS" }, "InvalidPushType"},
		{"no DeviceType", func(r *sdkpush.PushRequest) { r.DeviceType = "" }, "MissingDeviceType"},
		{"DeviceType unknown", func(r *sdkpush.PushRequest) { r.DeviceType = "WINDOWS" }, "InvalidDeviceType"},
		{"no Body", func(r *sdkpush.PushRequest) { r.Body = "" }, "MissingBody"},
		{"NOTICE without Title", func(r *sdkpush.PushRequest) { r.Title = "" }, "MissingTitle"},
		{"MESSAGE without Title", func(r *sdkpush.PushRequest) { r.PushType, r.Title = "MESSAGE", "" }, "MissingTitle"},
		{"PushTime with TBD", func(r *sdkpush.PushRequest) {
			r.PushTime = time.Now().Add(time.Hour).UTC().Format(pushsim.TimestampLayout)
		}, "InvalidPushTime"},
	}
	e := setup(t, pushsim.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.pushRequest(testAppKey)
			tt.change(r)
			_, err := e.client.Push(r)
			wantServerError(t, err, tt.code, http.StatusBadRequest)
		})
	}
	if got := len(e.sim.Stats().PerMessage); got != 0 {
		t.Errorf("got %d messages stored, want 0", got)
	}

	t.Run("an iOS NOTICE needs no Title", func(t *testing.T) {
		r := e.pushRequest(testAppKey)
		r.DeviceType, r.Title = "iOS", ""
		if _, err := e.client.Push(r); err != nil {
			t.Fatalf("Push: %v", err)
		}
	})
}
