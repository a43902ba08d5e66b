package pushsim_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/push"

	"github.com/cpush/cpush/worker/pushapi"
	"github.com/cpush/cpush/worker/pushsim"
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
		if got := m.Content.Params; got["Body"] != e.pushRequest(testAppKey).Body || got["TargetValue"] != "ALL" || got["Signature"] != "" {
			t.Errorf("got Params %v, want the Push parameters without the common ones", got)
		}
		wantCalls(t, st, pushapi.ActionPush, pushsim.StatOK, 1)
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
		change func(r *push.PushRequest)
		code   string
	}{
		{"no AppKey", func(r *push.PushRequest) { r.AppKey = "" }, "MissingAppKey"},
		{"AppKey not a number", func(r *push.PushRequest) { r.AppKey = "abc" }, pushapi.CodeInvalidParameter},
		{"AppKey zero", func(r *push.PushRequest) { r.AppKey = requests.NewInteger(0) }, pushapi.CodeInvalidParameter},
		{"no Target", func(r *push.PushRequest) { r.Target = "" }, "MissingTarget"},
		{"Target DEVICE", func(r *push.PushRequest) { r.Target = pushapi.TargetDevice }, pushapi.CodeInvalidParameter},
		{"Target unknown", func(r *push.PushRequest) { r.Target = "NOPE" }, pushapi.CodeInvalidParameter},
		{"no PushType", func(r *push.PushRequest) { r.PushType = "" }, "MissingPushType"},
		{"PushType unknown", func(r *push.PushRequest) { r.PushType = "SMS" }, pushapi.CodeInvalidParameter},
		{"no DeviceType", func(r *push.PushRequest) { r.DeviceType = "" }, "MissingDeviceType"},
		{"DeviceType unknown", func(r *push.PushRequest) { r.DeviceType = "WINDOWS" }, pushapi.CodeInvalidParameter},
		{"no Body", func(r *push.PushRequest) { r.Body = "" }, "MissingBody"},
		{"NOTICE without Title", func(r *push.PushRequest) { r.Title = "" }, "MissingTitle"},
		{"PushTime with TBD", func(r *push.PushRequest) { r.PushTime = "2030-01-01T00:00:00Z" }, pushapi.CodeInvalidParameter},
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

	t.Run("MESSAGE needs no Title", func(t *testing.T) {
		r := e.pushRequest(testAppKey)
		r.PushType, r.Title = "MESSAGE", ""
		if _, err := e.client.Push(r); err != nil {
			t.Fatalf("Push: %v", err)
		}
	})
}
