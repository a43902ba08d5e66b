package pushsim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkpush "github.com/aliyun/alibaba-cloud-sdk-go/services/push"

	"github.com/cpush/cpush/internal/pushsim"
)

// queryStat asks the simulator for the counts of messageID through the SDK.
func (e *env) queryStat(t *testing.T, messageID string) (sdkpush.PushStat, error) {
	t.Helper()
	r := sdkpush.CreateQueryPushStatByMsgRequest()
	r.Domain, r.Scheme = e.host, "http"
	r.AppKey = requests.NewInteger64(testAppKey)
	r.MessageId = requests.Integer(messageID)
	resp, err := e.client.QueryPushStatByMsg(r)
	if err != nil {
		return sdkpush.PushStat{}, err
	}
	if n := len(resp.PushStats.PushStat); n != 1 {
		t.Fatalf("got %d PushStat entries, want 1", n)
	}
	return resp.PushStats.PushStat[0], nil
}

func TestServer_QueryPushStatByMsg(t *testing.T) {
	t.Run("counts what was delivered", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		id := e.createMessage(t, testAppKey)
		for _, vals := range []string{values("a", 10), values("a", 5), values("b", 3)} {
			if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, vals); err != nil {
				t.Fatalf("ContinuouslyPush: %v", err)
			}
		}
		got, err := e.queryStat(t, id)
		if err != nil {
			t.Fatalf("QueryPushStatByMsg: %v", err)
		}
		// 13 distinct: received floor(13*0.9) = 11, opened floor(11*0.3) = 3.
		want := sdkpush.PushStat{MessageId: id, AcceptCount: 18, SentCount: 13, ReceivedCount: 11, OpenedCount: 3}
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("settles after StatSettle on the message clock", func(t *testing.T) {
		e := setup(t, pushsim.Config{StatSettle: time.Hour, ReceivedFraction: 0.5, OpenedFraction: 0.5})
		r := e.pushRequest(testAppKey)
		r.Target, r.TargetValue = pushsim.TargetDevice, values("d", 9)
		resp, err := e.client.Push(r)
		if err != nil {
			t.Fatalf("Push: %v", err)
		}
		before, err := e.queryStat(t, resp.MessageId)
		if err != nil {
			t.Fatal(err)
		}
		e.sim.Advance(time.Hour)
		after, err := e.queryStat(t, resp.MessageId)
		if err != nil {
			t.Fatal(err)
		}
		if before.SentCount != 9 || before.ReceivedCount != 0 || before.OpenedCount != 0 {
			t.Errorf("before the settle delay got %+v, want 9 sent, nothing received or opened", before)
		}
		if after.ReceivedCount != 4 || after.OpenedCount != 2 {
			t.Errorf("after it got %+v, want 4 received (floor 4.5), 2 opened", after)
		}
	})
	t.Run("SetStatModel takes zero shares", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		e.sim.SetStatModel(0, 0, 0)
		id := e.createMessage(t, testAppKey)
		if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "x"); err != nil {
			t.Fatal(err)
		}
		if got, err := e.queryStat(t, id); err != nil || got.SentCount != 1 || got.ReceivedCount != 0 {
			t.Errorf("got %+v, %v; want 1 sent, 0 received", got, err)
		}
	})
	t.Run("unknown MessageId", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		_, err := e.queryStat(t, "999999")
		wantServerError(t, err, codes.MessageNotFound.Code, http.StatusNotFound)
	})
}
