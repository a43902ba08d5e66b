package alibaba_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/push"
)

func TestClient_PushTargets(t *testing.T) {
	ctx := context.Background()
	t.Run("delivers at once under its own MessageId", func(t *testing.T) {
		sim, c := setup(t, pushsim.Config{})
		vals := values(1000)
		msg := push.Message{Title: "t", Body: "b", JobKey: "order-42"}
		res, err := c.PushTargets(ctx, appKey, msg, push.TargetAccount, vals)
		if err != nil {
			t.Fatal(err)
		}
		if res.MessageID == "" || res.RequestID == "" {
			t.Fatalf("PushTargets = %+v, want a MessageId and a RequestId", res)
		}
		st := sim.Stats()
		m := st.PerMessage[res.MessageID]
		if m.Targets != 1000 || st.Delivered(push.TargetAccount, vals[999]) != 1 {
			t.Errorf("simulator: %d targets on %s, last delivered %d times; want 1000, 1", m.Targets, res.MessageID,
				st.Delivered(push.TargetAccount, vals[999]))
		}
		if p := m.Content.Params; p["Target"] != push.TargetAccount || p["JobKey"] != "order-42" || p["Title"] != "t" {
			t.Errorf("Push sent %v; want Target ACCOUNT, the JobKey and the title", p)
		}
		if calls := st.Calls[push.ActionPush]["OK"]; calls != 1 {
			t.Errorf("%d Push calls, want 1", calls)
		}
	})
	t.Run("over the per-call limit", func(t *testing.T) {
		_, c := setup(t, pushsim.Config{})
		_, err := c.PushTargets(ctx, appKey, push.Message{Title: "t", Body: "b"}, push.TargetAlias, values(1001))
		e := wantError(t, err, push.ClassPermanent, "InvalidTargetValue", 400)
		if e.Ambiguous {
			t.Error("a refused call is marked ambiguous")
		}
	})
	t.Run("dropped connection is ambiguous", func(t *testing.T) {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}))
		t.Cleanup(hs.Close)
		c := newClient(t, hs.URL, pushsim.TestAccessKeySecret)
		_, err := c.PushTargets(ctx, appKey, push.Message{Title: "t", Body: "b"}, push.TargetDevice, []string{"a"})
		e, ok := push.AsError(err)
		if !ok || e.Class != push.ClassTransient || !e.Ambiguous {
			t.Fatalf("error = %v, want a transient, ambiguous *push.Error", err)
		}
	})
	t.Run("connection refused is not", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		c := newClient(t, "http://"+addr, "x")
		_, err := c.PushTargets(ctx, appKey, push.Message{Title: "t", Body: "b"}, push.TargetDevice, []string{"a"})
		if e := wantError(t, err, push.ClassTransient, push.CodeNetwork, 0); e.Ambiguous {
			t.Error("a refused connection is marked ambiguous; nothing was sent")
		}
	})
}
