package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/internal/faultnet"
	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/push"
)

// BenchmarkSmallJobs_EndToEnd sends small jobs (10 ACCOUNT targets each)
// to a `cpush api` process, two `cpush worker` processes push them
// through `cpush sim` with its documented quotas, all on this machine with
// Redis, and reports the jobs accepted per second (POST /v1/jobs:batch,
// 1,000 jobs a request; and POST /v1/jobs, one job a request, 16 clients),
// the jobs completed per second end to end (from the first request to the
// last job's final status), and the API calls per job. Every target must
// arrive exactly once.
//
//	go test -run x -bench SmallJobs -benchtime 1x ./e2e/
func BenchmarkSmallJobs_EndToEnd(b *testing.B) {
	for _, mode := range []string{"batch", "single"} {
		b.Run(mode, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchSmallJobs(b, mode, 5000)
			}
		})
	}
}

func benchSmallJobs(b *testing.B, mode string, n int) {
	f := newFleet(b) // the simulator's documented quotas
	for range 2 {
		f.worker(nil)
	}
	api, apiProc := f.api()
	bodies := smallJobs(b, mode, n)
	procs := []*proc{f.workers[0], f.workers[1], f.sim, apiProc}
	cpu0 := make([]time.Duration, len(procs))
	for i, p := range procs {
		cpu0[i] = cpuTime(b, p.cmd.Process.Pid)
	}
	start := time.Now()
	post(b, api, mode, bodies)
	accepted := time.Since(start)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = smallJobID(i)
	}
	f.waitCalls(push.ActionPush, n, 2*time.Minute)
	f.waitAllFinal(ids, time.Minute)
	completed := time.Since(start)

	var sim pushsim.Stats
	getJSON(b, "http://"+f.simAddr+"/sim/stats", &sim)
	calls := 0
	for _, byCode := range sim.Calls {
		for _, c := range byCode {
			calls += c
		}
	}
	if len(sim.Deliveries) != 10*n || sim.Duplicates != 0 {
		b.Fatalf("simulator: %d distinct targets, %d duplicates; want %d, 0", len(sim.Deliveries), sim.Duplicates, 10*n)
	}
	b.ReportMetric(float64(n)/accepted.Seconds(), "accepted_jobs/s")
	b.ReportMetric(float64(n)/completed.Seconds(), "completed_jobs/s")
	b.ReportMetric(float64(calls)/float64(n), "api_calls/job")
	b.ReportMetric(completed.Seconds(), "end_to_end_s")
	// CPU per 1,000 jobs: where the two cores went.
	for i, name := range []string{"workers", "workers", "sim", "api"} {
		cpu0[i] = cpuTime(b, procs[i].cmd.Process.Pid) - cpu0[i]
		if i == 1 {
			cpu0[1] += cpu0[0]
		}
		if i > 0 {
			b.ReportMetric(cpu0[i].Seconds()*1000/float64(n), name+"_cpu_s/1k_jobs")
		}
	}
}

func smallJobID(i int) string { return "small-" + strconv.Itoa(i) }

// smallJobs returns the request bodies of n jobs of 10 distinct accounts
// each: batches of 1,000 jobs, or one job a body.
func smallJobs(b *testing.B, mode string, n int) [][]byte {
	jobs := make([]map[string]any, n)
	for i := range jobs {
		accounts := make([]string, 10)
		for k := range accounts {
			accounts[k] = fmt.Sprintf("acct-%d-%d", i, k)
		}
		jobs[i] = map[string]any{"id": smallJobID(i), "app_key": 23267207, "target": push.TargetAccount, "targets": accounts,
			"message": map[string]any{"title": "New follower", "body": "carol follows you"}}
	}
	var bodies [][]byte
	for i := 0; i < n; {
		var v any = jobs[i]
		step := 1
		if mode == "batch" {
			step = min(httpapi.MaxBatchJobs, n-i)
			v = map[string]any{"jobs": jobs[i : i+step]}
		}
		raw, err := json.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		bodies = append(bodies, raw)
		i += step
	}
	return bodies
}

// post sends bodies to api, 16 at a time, and fails b on any refusal.
func post(b *testing.B, api, mode string, bodies [][]byte) {
	path, want := "/v1/jobs", http.StatusAccepted
	if mode == "batch" {
		path, want = "/v1/jobs:batch", http.StatusOK
	}
	next := make(chan []byte, len(bodies))
	for _, body := range bodies {
		next <- body
	}
	close(next)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for body := range next {
				resp, err := http.Post(api+path, httpapi.MediaJSON, bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				var buf bytes.Buffer
				buf.ReadFrom(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != want || bytes.Contains(buf.Bytes(), []byte(`"error"`)) {
					b.Errorf("POST %s = %d %.300s", path, resp.StatusCode, buf.String())
				}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
}

// api starts a `cpush api` process on f's Redis and returns its base URL.
func (f *fleet) api() (string, *proc) {
	f.t.Helper()
	env := map[string]string{}
	for k, v := range f.env {
		env[k] = v
	}
	addr := faultnet.FreeAddr(f.t)
	env["CPUSH_HTTP_ADDR"] = addr
	p := start(f.t, "api", env, "api")
	waitHTTP(f.t, "http://"+addr+"/readyz")
	return "http://" + addr, p
}

// waitCalls waits until the simulator has answered n calls of action OK.
func (f *fleet) waitCalls(action string, n int, timeout time.Duration) {
	f.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var c pushsim.Counts
		getJSON(f.t, "http://"+f.simAddr+"/sim/counts", &c)
		if c.Calls[action]["OK"] >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.t.Fatalf("the simulator did not answer %d %s calls within %s", n, action, timeout)
}

// waitAllFinal waits until every job of ids has ended.
func (f *fleet) waitAllFinal(ids []string, timeout time.Duration) {
	f.t.Helper()
	s := store.New(redistest.Client(f.t), f.env["CPUSH_PREFIX"])
	deadline := time.Now().Add(timeout)
	for pending := ids; time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		states, err := s.ReadStates(context.Background(), pending)
		if err != nil {
			f.t.Fatal(err)
		}
		var left []string
		for i, st := range states {
			if st == nil || !store.Final(st.Job.Status) {
				left = append(left, pending[i])
			}
		}
		if pending = left; len(pending) == 0 {
			return
		}
	}
	f.t.Fatalf("jobs did not end within %s", timeout)
}
