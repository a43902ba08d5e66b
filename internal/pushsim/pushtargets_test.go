package pushsim_test

import (
	"net/http"
	"testing"

	sdkpush "github.com/aliyun/alibaba-cloud-sdk-go/services/push"

	"github.com/cpush/cpush/internal/pushsim"
)

func TestServer_Push_targets(t *testing.T) {
	t.Run("delivers at once and records like ContinuouslyPush", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		r := e.pushRequest(testAppKey)
		r.Target, r.TargetValue = pushsim.TargetAccount, "ann,bob,ann"
		resp, err := e.client.Push(r)
		if err != nil {
			t.Fatalf("Push: %v", err)
		}
		st := e.sim.Stats()
		if st.Delivered(pushsim.TargetAccount, "ann") != 2 || st.Delivered(pushsim.TargetAccount, "bob") != 1 || st.Duplicates != 1 {
			t.Errorf("got deliveries %v and %d duplicates, want ann twice, bob once, 1 duplicate", st.Deliveries, st.Duplicates)
		}
		m := st.PerMessage[resp.MessageId]
		if m.Target != pushsim.TargetAccount || m.Calls != 1 || m.Targets != 3 || m.Used != 0 || m.Content.Title != r.Title {
			t.Errorf("got %+v, want an ACCOUNT message of 1 call, 3 targets, nothing used, its content", m)
		}
		if st.MaxValuesPerCall != 3 {
			t.Errorf("got MaxValuesPerCall %d, want 3", st.MaxValuesPerCall)
		}
	})
	t.Run("its MessageId takes no ContinuouslyPush", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		r := e.pushRequest(testAppKey)
		r.Target, r.TargetValue = pushsim.TargetDevice, "d1"
		resp, err := e.client.Push(r)
		if err != nil {
			t.Fatalf("Push: %v", err)
		}
		_, err = e.pushValues(testAppKey, resp.MessageId, pushsim.TargetDevice, "d2")
		wantServerError(t, err, codes.MessageNotFound.Code, codes.MessageNotFound.Status)
	})
	t.Run("refuses 1001 values and counts them", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		r := e.pushRequest(testAppKey)
		r.Target, r.TargetValue = pushsim.TargetAlias, values("al", 1001)
		_, err := e.client.Push(r)
		wantServerError(t, err, "InvalidTargetValue", http.StatusBadRequest)
		st := e.sim.Stats()
		if st.MaxValuesPerCall != 1001 || st.Violations["InvalidTargetValue"] != 1 || len(st.Deliveries) != 0 {
			t.Errorf("got MaxValuesPerCall %d, violations %v, %d deliveries; want 1001, one InvalidTargetValue, none",
				st.MaxValuesPerCall, st.Violations, len(st.Deliveries))
		}
	})
	t.Run("IdempotentToken pushes once", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		push := func(token, values string) *sdkpush.PushResponse {
			r := e.pushRequest(testAppKey)
			r.Target, r.TargetValue = pushsim.TargetDevice, values
			r.QueryParams["IdempotentToken"] = token
			resp, err := e.client.Push(r)
			if err != nil {
				t.Fatalf("Push: %v", err)
			}
			return resp
		}
		const token = "c8016d13-6e76-410c-9bda-769383d11787"
		first, again := push(token, "d1"), push(token, "d2")
		other := push("C8016D13-6E76-410C-9BDA-769383D11788", "d3")
		if first.MessageId != again.MessageId || other.MessageId == first.MessageId {
			t.Errorf("got MessageIds %s, %s, %s; want the first twice, then a new one", first.MessageId, again.MessageId, other.MessageId)
		}
		if st := e.sim.Stats(); st.Delivered(pushsim.TargetDevice, "d2") != 0 || st.Delivered(pushsim.TargetDevice, "d3") != 1 {
			t.Errorf("got deliveries %v, want d1 and d3 only", st.Deliveries)
		}
	})
}
