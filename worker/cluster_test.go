package worker_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/push/alibaba"
	"github.com/cpush/cpush/worker"
)

// TestWorker_RedisCluster runs producers and two workers on a 3-master
// Redis Cluster: every Lua script's keys must hash to one slot.
func TestWorker_RedisCluster(t *testing.T) {
	rdb, _ := redistest.Cluster(t)
	sim := pushsim.New(pushsim.Config{NoQuotas: true})
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	svc, err := alibaba.New(alibaba.Config{Region: "cn-hangzhou", Endpoint: hs.URL,
		AccessKeyID: pushsim.TestAccessKeyID, AccessKeySecret: pushsim.TestAccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	prefix := redistest.Prefix(t)
	opts := worker.Options{Prefix: prefix, RetryBase: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond}
	client := jobs.NewClient(rdb, jobs.Options{Prefix: prefix})
	defer client.Close()
	e := &env{t: t, rdb: rdb, prefix: prefix, sim: sim, svc: svc, client: client, opts: opts}
	e.startWorker(8)
	e.startWorker(8)

	content := devices("k", 23500)
	a := e.enqueue(contentJob(content))
	mid := e.newMessage()
	b := e.enqueue(midJob(mid, time.Time{}, devices("q", 11000)))
	sa, sb := e.wait(a.ID, 60*time.Second), e.wait(b.ID, 60*time.Second)
	if sa.Status != jobs.StatusCompleted || sa.Pushed != 23500 || len(sa.MessageIDs) != 3 {
		t.Errorf("content job = %+v, want completed with 23500 pushed on 3 MessageIds", sa)
	}
	if sb.Pushed != 10000 || sb.Failed[push.CodeMessageLimitExceeded] != 1000 {
		t.Errorf("message-id job pushed %d, failed %s; want 10000 and 1000 over the limit", sb.Pushed, failedCodes(sb))
	}
	st := sim.Stats()
	if st.Duplicates != 0 || len(st.Deliveries) != 33500 || len(st.Violations) != 0 {
		t.Errorf("simulator: %d delivered, %d duplicates, violations %v; want 33500, 0, none", len(st.Deliveries), st.Duplicates, st.Violations)
	}
}
