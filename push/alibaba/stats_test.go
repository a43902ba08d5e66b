package alibaba_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/push"
)

func TestClient_QueryStats(t *testing.T) {
	ctx := context.Background()
	t.Run("counts what the simulator delivered", func(t *testing.T) {
		sim, c := setup(t, pushsim.Config{})
		sim.SetStatModel(0.87, 0.33, 0)
		mid := create(t, c)
		vals := values(1000)
		if _, err := c.PushChunk(ctx, appKey, mid, push.TargetDevice, vals); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PushChunk(ctx, appKey, mid, push.TargetDevice, vals[:10]); err != nil { // 10 again
			t.Fatal(err)
		}
		got, err := c.QueryStats(ctx, appKey, mid)
		if err != nil {
			t.Fatal(err)
		}
		want := push.Stats{Accepted: 1010, Sent: 1000, Received: 870, Opened: 287}
		if got != want {
			t.Errorf("QueryStats = %+v, want %+v", got, want)
		}
	})
	t.Run("received and opened are 0 until they settle", func(t *testing.T) {
		sim, c := setup(t, pushsim.Config{StatSettle: time.Hour})
		mid := create(t, c)
		if _, err := c.PushChunk(ctx, appKey, mid, push.TargetDevice, values(5)); err != nil {
			t.Fatal(err)
		}
		if got, _ := c.QueryStats(ctx, appKey, mid); got != (push.Stats{Accepted: 5, Sent: 5}) {
			t.Errorf("before settling = %+v, want 5 accepted and sent only", got)
		}
		sim.Advance(time.Hour)
		if got, _ := c.QueryStats(ctx, appKey, mid); got.Received != 4 || got.Opened != 1 {
			t.Errorf("after settling = %+v, want 4 received, 1 opened", got)
		}
	})
	t.Run("an unknown MessageId", func(t *testing.T) {
		_, c := setup(t, pushsim.Config{})
		_, err := c.QueryStats(ctx, appKey, "999999")
		wantError(t, err, push.ClassRollover, push.CodeMessageNotFound, http.StatusNotFound)
	})
	t.Run("a MessageId that is not an integer", func(t *testing.T) {
		_, c := setup(t, pushsim.Config{})
		_, err := c.QueryStats(ctx, appKey, "abc")
		wantError(t, err, push.ClassPermanent, "InvalidMessageId.Format", http.StatusBadRequest)
	})
}
