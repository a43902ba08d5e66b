package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

func TestWorker_ContentMode(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{})
	unique := devices("c", 24500)
	targets := append(append([]string{}, unique...), unique[:500]...) // 500 duplicates
	e.startWorker(8)
	e.startWorker(8) // two worker servers race for every chunk and slot
	plan := e.enqueue(contentJob(targets))
	if plan.Unique != 24500 || plan.Duplicates != 500 || plan.Chunks != 25 || plan.MessageIDs != 3 {
		t.Fatalf("plan = %+v, want 24500 unique, 500 duplicates, 25 chunks, 3 MessageIds", plan)
	}
	st := e.wait(plan.ID, 60*time.Second)

	if st.Status != jobs.StatusCompleted || st.Pushed != 24500 || st.FailedTotal != 0 || st.Total != 25000 || st.Duplicates != 500 {
		t.Errorf("status = %+v, want completed with 24500 of 25000 pushed, 500 duplicates", st)
	}
	sim := e.sim.Stats()
	assertExactlyOnce(t, sim, unique)
	if sim.MaxValuesPerCall > push.MaxTargetsPerCall {
		t.Errorf("a call carried %d values, want at most %d", sim.MaxValuesPerCall, push.MaxTargetsPerCall)
	}
	if len(sim.PerMessage) < 3 || len(st.MessageIDs) != len(sim.PerMessage) {
		t.Errorf("simulator has %d messages, job reports %v; want at least 3, the same", len(sim.PerMessage), st.MessageIDs)
	}
	for mid, m := range sim.PerMessage {
		if m.Targets > 10000 {
			t.Errorf("MessageId %s got %d targets, want at most 10000", mid, m.Targets)
		}
		if !m.Completed {
			t.Errorf("MessageId %s was not completed", mid)
		}
	}
	if len(sim.Violations) != 0 {
		t.Errorf("violations = %v, want none", sim.Violations)
	}
}

// newMessage stores a message in the simulator as a producer would, and
// returns its MessageId.
func (e *env) newMessage() string {
	e.t.Helper()
	res, err := e.svc.CreateMessage(context.Background(), testAppKey, push.Message{Title: "t", Body: "b"})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.MessageID
}

func midJob(mid string, created time.Time, targets []string) jobs.Job {
	return jobs.Job{AppKey: testAppKey, Target: push.TargetDevice, Targets: targets, MessageID: mid, MessageCreatedAt: created}
}

func TestWorker_MessageIDMode(t *testing.T) {
	t.Run("over the limit", func(t *testing.T) {
		e := setup(t, pushsim.Config{}, worker.Options{})
		e.startWorker(8)
		plan := e.enqueue(midJob(e.newMessage(), time.Time{}, devices("m", 12000)))
		st := e.wait(plan.ID, 60*time.Second)
		if st.Status != jobs.StatusFailed || st.Pushed != 10000 || st.Failed[push.CodeMessageLimitExceeded] != 2000 {
			t.Errorf("status = %s pushed %d failed %s, want failed with 10000 pushed, 2000 MessageLimitExceeded", st.Status, st.Pushed, failedCodes(st))
		}
		if sim := e.sim.Stats(); len(sim.Deliveries) != 10000 || sim.Duplicates != 0 || len(sim.Violations) != 0 {
			t.Errorf("simulator: %d delivered, %d duplicates, violations %v; want 10000, 0, none", len(sim.Deliveries), sim.Duplicates, sim.Violations)
		}
	})
	t.Run("expired", func(t *testing.T) {
		e := setup(t, pushsim.Config{}, worker.Options{})
		e.startWorker(4)
		created := time.Now().Add(-25 * time.Hour)
		plan := e.enqueue(midJob(e.newMessage(), created, devices("x", 3000)))
		st := e.wait(plan.ID, 30*time.Second)
		if st.Status != jobs.StatusFailed || st.Pushed != 0 || st.Failed[push.CodeMessageExpired] != 3000 {
			t.Errorf("status = %s pushed %d failed %s, want failed, 0 pushed, 3000 MessageExpired", st.Status, st.Pushed, failedCodes(st))
		}
		if sim := e.sim.Stats(); len(sim.Deliveries) != 0 {
			t.Errorf("simulator delivered %d, want 0", len(sim.Deliveries))
		}
	})
	t.Run("two jobs share the budget", func(t *testing.T) {
		e := setup(t, pushsim.Config{}, worker.Options{})
		e.startWorker(8)
		mid := e.newMessage()
		a := e.enqueue(midJob(mid, time.Time{}, devices("a", 6500)))
		b := e.enqueue(midJob(mid, time.Time{}, devices("b", 6500)))
		sa, sb := e.wait(a.ID, 60*time.Second), e.wait(b.ID, 60*time.Second)
		if got := sa.Pushed + sb.Pushed; got != 10000 {
			t.Errorf("pushed %d + %d = %d, want 10000", sa.Pushed, sb.Pushed, got)
		}
		if got := sa.Failed[push.CodeMessageLimitExceeded] + sb.Failed[push.CodeMessageLimitExceeded]; got != 3000 {
			t.Errorf("failed over the limit: %d, want 3000", got)
		}
		if sim := e.sim.Stats(); sim.PerMessage[mid].Targets != 10000 || len(sim.Violations) != 0 {
			t.Errorf("simulator: message got %d targets, violations %v; want 10000, none", sim.PerMessage[mid].Targets, sim.Violations)
		}
	})
}

func TestWorker_LimitUnitCalls(t *testing.T) {
	limits := jobs.Limits{Limit: 4, Unit: push.UnitCalls, TTL: 24 * time.Hour}
	e := setup(t, pushsim.Config{MessageLimit: 4, LimitUnit: push.UnitCalls}, worker.Options{Limits: limits})
	e.startWorker(8)
	targets := devices("u", 9500) // 10 calls: 3 MessageIds of at most 4 calls
	plan := e.enqueue(contentJob(targets))
	if plan.MessageIDs != 3 {
		t.Errorf("plan has %d MessageIds, want 3", plan.MessageIDs)
	}
	st := e.wait(plan.ID, 60*time.Second)
	if st.Status != jobs.StatusCompleted || st.Pushed != 9500 || len(st.MessageIDs) != 3 {
		t.Errorf("status = %+v, want completed, 9500 pushed, 3 MessageIds", st)
	}
	sim := e.sim.Stats()
	assertExactlyOnce(t, sim, targets)
	for mid, m := range sim.PerMessage {
		if m.Calls > 4 {
			t.Errorf("MessageId %s took %d calls, want at most 4", mid, m.Calls)
		}
	}
}

func TestWorker_StartAt(t *testing.T) {
	e := setup(t, pushsim.Config{}, worker.Options{})
	e.startWorker(4)
	job := contentJob(devices("s", 3000))
	job.StartAt = time.Now().Add(1500 * time.Millisecond)
	plan := e.enqueue(job)
	time.Sleep(700 * time.Millisecond)
	if st, _ := e.client.Status(context.Background(), plan.ID); st.Status != jobs.StatusQueued || st.Pushed != 0 {
		t.Errorf("before its start time the job is %s with %d pushed, want queued with 0", st.Status, st.Pushed)
	}
	st := e.wait(plan.ID, 30*time.Second)
	if st.Status != jobs.StatusCompleted || st.Pushed != 3000 {
		t.Errorf("status = %s pushed %d, want completed with 3000", st.Status, st.Pushed)
	}
	if first := e.sim.Stats(); len(first.Deliveries) != 3000 {
		t.Errorf("simulator delivered %d, want 3000", len(first.Deliveries))
	}
	if st.FinishedAt.Before(job.StartAt) {
		t.Errorf("finished at %s, before its start time %s", st.FinishedAt, job.StartAt)
	}
}

// TestWorker_ValuesPerCall: a gateway that refuses long request URLs (the
// simulator's MaxURLBytes) fails a job's calls of 1,000 values for good;
// with values per call lowered to 200 the same kind of job goes through,
// its MessageIds still taking 10,000 pushes each.
func TestWorker_ValuesPerCall(t *testing.T) {
	e := setup(t, pushsim.Config{NoQuotas: true, MaxURLBytes: 16 << 10}, worker.Options{})
	e.startWorker(4)
	targets := devices("u", 25000)
	plan := e.enqueueValuesPerCall(200, contentJob(targets))
	if plan.Chunks != 125 || plan.MessageIDs != 3 {
		t.Errorf("plan = %d calls on %d MessageIds, want 125 on 3", plan.Chunks, plan.MessageIDs)
	}
	st := e.wait(plan.ID, 60*time.Second)
	sim := e.sim.Stats()
	if st.Status != jobs.StatusCompleted || st.Pushed != 25000 || len(st.MessageIDs) != 3 {
		t.Errorf("status %s, pushed %d on %d MessageIds (failed %s); want completed, 25000 on 3", st.Status, st.Pushed,
			len(st.MessageIDs), failedCodes(st))
	}
	if sim.MaxValuesPerCall != 200 {
		t.Errorf("the largest call had %d values, want 200", sim.MaxValuesPerCall)
	}
	assertExactlyOnce(t, sim, targets)

	long := e.enqueue(contentJob(devices("v", 2000)))
	st = e.wait(long.ID, 60*time.Second)
	if st.Status != jobs.StatusFailed || st.Failed["Simulator.URITooLong"] != 2000 {
		t.Errorf("calls of 1,000 values: status %s, failed %s; want all 2000 failed with the gateway's code", st.Status, failedCodes(st))
	}
}
