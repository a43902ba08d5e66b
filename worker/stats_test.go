package worker_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

// waitDelivery polls job id until its delivery statistics have had
// passes full refreshes.
func (e *env) waitDelivery(id string, passes int, timeout time.Duration) (*jobs.Delivery, []jobs.MessageDelivery) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		d, msgs, err := e.client.Delivery(context.Background(), id)
		if err != nil {
			e.t.Fatalf("Delivery(%s): %v", id, err)
		}
		if d != nil && d.Refreshes >= passes {
			return d, msgs
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job %s: %d refreshes in %s, want %d: %+v", id, refreshes(d), timeout, passes, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func refreshes(d *jobs.Delivery) int {
	if d == nil {
		return 0
	}
	return d.Refreshes
}

// simAnswers asks the simulator for the statistics of each of mids, as
// the service answers them, and adds them up.
func (e *env) simAnswers(mids []string) (push.Stats, map[string]push.Stats) {
	e.t.Helper()
	var sum push.Stats
	each := map[string]push.Stats{}
	for _, mid := range mids {
		s, err := e.svc.QueryStats(context.Background(), testAppKey, mid)
		if err != nil {
			e.t.Fatalf("QueryStats(%s): %v", mid, err)
		}
		each[mid] = s
		sum = sum.Add(s)
	}
	return sum, each
}

// deliveryMetric reads cpush_delivery_total of the test app by result.
func deliveryMetric(t *testing.T, reg *prometheus.Registry) push.Stats {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var v [push.NumStats]int64
	for _, mf := range mfs {
		if mf.GetName() != worker.MetricDelivery {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["app"] != strconv.Itoa(testAppKey) {
				continue
			}
			v[slices.Index(push.StatNames[:], labels["result"])] = int64(m.GetCounter().GetValue())
		}
	}
	return push.StatsOf(v)
}

// TestWorker_DeliveryStats: a 25,000-target job's first refresh gives
// totals equal to the sum of the service's answers for its MessageIds; a
// later refresh of unchanged figures adds nothing to the metric, and one
// after the figures grew adds exactly the growth.
func TestWorker_DeliveryStats(t *testing.T) {
	e := setup(t, pushsim.Config{ReceivedFraction: 0.87, OpenedFraction: 0.33},
		worker.Options{StatsSchedule: []time.Duration{50 * time.Millisecond, 400 * time.Millisecond}})
	reg := prometheus.NewRegistry()
	e.opts.Metrics = reg
	e.startWorker(8)
	plan := e.enqueue(contentJob(devices("s", 25000)))
	st := e.wait(plan.ID, 60*time.Second)
	if st.Status != jobs.StatusCompleted || len(st.MessageIDs) != 3 {
		t.Fatalf("job %s with %d MessageIds, want completed with 3", st.Status, len(st.MessageIDs))
	}

	d, msgs := e.waitDelivery(plan.ID, 1, 30*time.Second)
	sum, each := e.simAnswers(st.MessageIDs)
	if d.Totals != sum {
		t.Errorf("totals after the first refresh = %+v, want the sum of the service's answers %+v", d.Totals, sum)
	}
	if sum.Sent != 25000 || sum.Received != 21750 || sum.Opened != 7177 {
		t.Errorf("the simulator answered %+v: the test's figures are off", sum)
	}
	if len(msgs) != 3 {
		t.Fatalf("%d MessageIds with statistics, want 3", len(msgs))
	}
	for i, m := range msgs {
		if m.MessageID != st.MessageIDs[i] || m.Stats != each[m.MessageID] || m.Error != "" || m.RefreshedAt.Before(st.FinishedAt) {
			t.Errorf("MessageId %d = %+v, want %s with %+v, refreshed after the end", i, m, st.MessageIDs[i], each[st.MessageIDs[i]])
		}
	}
	if got := deliveryMetric(t, reg); got != sum {
		t.Errorf("%s after the first refresh = %+v, want the totals %+v", worker.MetricDelivery, got, sum)
	}
	if status, _ := e.client.Status(context.Background(), plan.ID); status.Delivery == nil || status.Delivery.Totals != sum {
		t.Errorf("Status.Delivery = %+v, want the totals", status.Delivery)
	}

	e.waitDelivery(plan.ID, 2, 30*time.Second) // the second scheduled round: nothing grew
	if got := deliveryMetric(t, reg); got != sum {
		t.Errorf("%s after a refresh of the same figures = %+v, want still %+v", worker.MetricDelivery, got, sum)
	}
	if d, _, _ := e.client.Delivery(context.Background(), plan.ID); !d.NextRefreshAt.IsZero() {
		t.Errorf("next refresh at %v after the last round, want none", d.NextRefreshAt)
	}

	e.sim.SetStatModel(0.95, 0.5, 0) // more arrived, more were opened
	asked, err := e.client.RefreshDelivery(context.Background(), plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, _ = e.waitDelivery(plan.ID, 3, 30*time.Second)
	grown, _ := e.simAnswers(st.MessageIDs)
	if d.Totals != grown || d.RefreshedAt.Before(asked) {
		t.Errorf("after the asked refresh: totals %+v as of %v, want %+v as of at least %v", d.Totals, d.RefreshedAt, grown, asked)
	}
	if got := deliveryMetric(t, reg); got != grown {
		t.Errorf("%s after growth = %+v, want %+v: the first figures plus the growth", worker.MetricDelivery, got, grown)
	}
	if st, _ := e.client.Status(context.Background(), plan.ID); st.Status != jobs.StatusCompleted {
		t.Errorf("status after the refreshes = %s, want completed", st.Status)
	}
}

// statsRecorder is the real adapter that records when QueryStats is
// called and makes each call take delay.
type statsRecorder struct {
	push.Service
	delay time.Duration
	mu    sync.Mutex
	calls []time.Time
}

func (r *statsRecorder) QueryStats(ctx context.Context, appKey int64, mid string) (push.Stats, error) {
	r.mu.Lock()
	r.calls = append(r.calls, time.Now())
	r.mu.Unlock()
	time.Sleep(r.delay)
	return r.Service.QueryStats(ctx, appKey, mid)
}

func (r *statsRecorder) times() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// TestWorker_StatsRate: the statistics calls of two jobs, asked at once,
// keep to their own rate (QueryStats) in every second, however many
// MessageIds are waiting.
func TestWorker_StatsRate(t *testing.T) {
	const rate = 10
	limits := jobs.Limits{Limit: 1000, Unit: push.UnitTargets, TTL: 24 * time.Hour} // a MessageId per chunk
	e := setup(t, pushsim.Config{}, worker.Options{Limits: limits, StatsOff: true,
		Rates: worker.Rates{ContinuouslyPush: 2000, Push: 500, Complete: 500, QueryStats: rate}})
	rec := &statsRecorder{Service: e.svc}
	e.startWorkerWith(rec, 8)
	a := e.enqueue(contentJob(devices("a", 20000)))
	b := e.enqueue(contentJob(devices("b", 20000)))
	e.wait(a.ID, 60*time.Second)
	e.wait(b.ID, 60*time.Second)
	for _, id := range []string{a.ID, b.ID} {
		if _, err := e.client.RefreshDelivery(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	e.waitDelivery(a.ID, 1, 60*time.Second)
	e.waitDelivery(b.ID, 1, 60*time.Second)
	calls := rec.times()
	if len(calls) != 40 {
		t.Fatalf("%d QueryPushStatByMsg calls, want 40", len(calls))
	}
	burst := max(1, rate/10) // the limiter's
	most := 0
	for i := range calls {
		n := 0
		for _, c := range calls[i:] {
			if c.Sub(calls[i]) < time.Second {
				n++
			}
		}
		most = max(most, n)
	}
	if most > rate+burst {
		t.Errorf("%d calls within one second, want at most %d (rate %d and its burst)", most, rate+burst, rate)
	}
	if took := calls[len(calls)-1].Sub(calls[0]); took < time.Duration(len(calls)-burst-1)*time.Second/rate {
		t.Errorf("40 calls took %s, faster than %d a second", took, rate)
	}
	t.Logf("40 calls over %s, at most %d in any second", calls[len(calls)-1].Sub(calls[0]).Round(time.Millisecond), most)
}

// TestWorker_StatsDoNotSlowPushing: a job pushed while another job's
// statistics are being collected (slowly: 4 calls a second, each taking
// 100ms) takes as long as the same job alone.
func TestWorker_StatsDoNotSlowPushing(t *testing.T) {
	const pushRate = 25
	limits := jobs.Limits{Limit: 1000, Unit: push.UnitTargets, TTL: 24 * time.Hour}
	e := setup(t, pushsim.Config{}, worker.Options{Limits: limits, StatsOff: true,
		Rates: worker.Rates{ContinuouslyPush: pushRate, Push: 500, Complete: 500, QueryStats: 4}})
	rec := &statsRecorder{Service: e.svc, delay: 100 * time.Millisecond}
	e.startWorkerWith(rec, 4)
	timed := func(tag string) time.Duration {
		start := time.Now()
		e.wait(e.enqueue(contentJob(devices(tag, 30000))).ID, 60*time.Second)
		return time.Since(start)
	}
	alone := timed("alone")
	first := e.enqueue(contentJob(devices("first", 20000)))
	e.wait(first.ID, 60*time.Second)
	if _, err := e.client.RefreshDelivery(context.Background(), first.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first job's statistics to start", func() bool { return len(rec.times()) > 0 })
	during := timed("during")
	collected := len(rec.times())
	d, _, _ := e.client.Delivery(context.Background(), first.ID)
	if refreshes(d) > 0 || collected >= 20 {
		t.Fatalf("the first job's statistics were done (%d of 20 calls) before the second job ended: the test proves nothing", collected)
	}
	t.Logf("30 chunks at %d calls/s: %s alone, %s while %d of 20 statistics calls ran", pushRate, alone, during, collected)
	if during > alone*5/4+200*time.Millisecond {
		t.Errorf("the job took %s while statistics were collected, %s alone: want at most a quarter more", during, alone)
	}
	e.waitDelivery(first.ID, 1, 60*time.Second)
}

// TestWorker_StatsWebhook: a job with a webhook URL gets its final
// summary, then, with StatsWebhook, a stats event once the first full
// refresh is in, both signed.
func TestWorker_StatsWebhook(t *testing.T) {
	const secret = "whsec-test-0123456789"
	e := setup(t, pushsim.Config{}, worker.Options{StatsWebhook: true,
		StatsSchedule: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}})
	recv := newReceiver(t, secret, 0)
	e.startWebhookWorker(secret)
	job := contentJob(devices("h", 12000))
	job.WebhookURL = recv.srv.URL
	plan := e.enqueue(job)
	e.wait(plan.ID, 30*time.Second)
	d, _ := e.waitDelivery(plan.ID, 2, 30*time.Second) // both rounds: the event is sent once
	got := recv.waitAttempts(2, 30*time.Second)
	time.Sleep(300 * time.Millisecond)
	if got = recv.got(); len(got) != 2 {
		t.Fatalf("receiver saw %d POSTs, want the summary and one stats event", len(got))
	}
	var events []jobs.StatsEvent
	for _, a := range got {
		if err := recv.verify(a, recv.srv.URL); err != nil {
			t.Errorf("signature: %v", err)
		}
		var ev jobs.StatsEvent
		if err := json.Unmarshal(a.body, &ev); err == nil && ev.Event == jobs.EventStats {
			events = append(events, ev)
		}
	}
	if len(events) != 1 {
		t.Fatalf("%d stats events, want 1", len(events))
	}
	ev := events[0]
	if ev.ID != plan.ID || ev.Status != jobs.StatusCompleted || ev.Pushed != 12000 || ev.Delivery == nil ||
		ev.Delivery.Totals.Sent != 12000 || len(ev.Messages) != 2 || ev.Delivery.Totals.Received != d.Totals.Received {
		t.Errorf("stats event = %+v, want the job's delivery statistics: 12000 sent on 2 MessageIds", ev)
	}
}

// TestWorker_StatsOfUnknownMessageID: a message-id job on a MessageId the
// service does not know fails its targets with the code, and its
// statistics record the code; the job stays failed.
func TestWorker_StatsOfUnknownMessageID(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{StatsSchedule: []time.Duration{time.Millisecond}})
	e.startWorker(4)
	job := contentJob(devices("u", 1500))
	job.Message, job.MessageID = nil, "424242"
	plan := e.enqueue(job)
	st := e.wait(plan.ID, 30*time.Second)
	if st.Status != jobs.StatusFailed || st.Failed[push.CodeMessageNotFound] != 1500 {
		t.Fatalf("status %s failed %s, want failed with 1500 MessageNotFound", st.Status, failedCodes(st))
	}
	d, msgs := e.waitDelivery(plan.ID, 1, 30*time.Second)
	if d.Error != push.CodeMessageNotFound || len(msgs) != 1 || msgs[0].Error != push.CodeMessageNotFound ||
		d.Totals != (push.Stats{}) {
		t.Errorf("delivery = %+v, %+v; want the code recorded, no figures", d, msgs)
	}
	if st, _ := e.client.Status(context.Background(), plan.ID); st.Status != jobs.StatusFailed {
		t.Errorf("status after the statistics = %s, want failed", st.Status)
	}
}

// TestWorker_MetricsAtZero: the labelled counters that alerts watch exist
// at zero before their first event.
func TestWorker_MetricsAtZero(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{})
	reg := e.startWebhookWorker("whsec-test-0123456789")
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]bool{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range m.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			series[key] = true
		}
	}
	for _, want := range []string{
		worker.MetricWebhooks + ",result=gave_up", worker.MetricWebhooks + ",result=delivered",
		worker.MetricTargets + ",result=failed", worker.MetricTargets + ",result=pushed",
		worker.MetricAPICalls + ",action=ContinuouslyPush,code=OK", worker.MetricAPICalls + ",action=QueryPushStatByMsg,code=OK",
	} {
		if !series[want] {
			t.Errorf("no series %s at start", want)
		}
	}
}
