package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/cpush/cpush/internal/faultnet"
	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/push/alibaba"
)

// BenchmarkCost_PerMillionTargets measures what cpush costs beside a plain
// loop of SDK calls making the same API calls (a Push per 10,000 targets,
// ContinuouslyPush calls of 1,000, the completions) against the same
// simulator process: CPU-seconds per million targets of the two worker
// processes and of their own redis-server, the loop's CPU, and Redis round
// trips and commands per chunk. It runs without a rate limit and held by a
// shared rate of 200 calls/s (the plain loop paced alike). With -benchtime
// Nx it logs each run and reports the means, the ratio of the sums.
//
//	go test -run x -bench Cost -benchtime 3x -v ./e2e/
func BenchmarkCost_PerMillionTargets(b *testing.B) {
	for _, r := range []int{0, 200} {
		name := "rate=unlimited"
		if r > 0 {
			name = "rate=" + strconv.Itoa(r)
		}
		b.Run(name, func(b *testing.B) {
			var sum costFigures
			for i := 0; i < b.N; i++ {
				f := benchCost(b, r, 1_000_000)
				b.Logf("run %d: workers %.2f, Redis %.2f, loop %.2f CPU-s/M: ratio %.2f", i+1, f.workers, f.redis, f.loop,
					(f.workers+f.redis)/f.loop)
				sum.workers, sum.redis, sum.loop = sum.workers+f.workers, sum.redis+f.redis, sum.loop+f.loop
			}
			n := float64(b.N)
			b.ReportMetric(sum.loop/n, "loop_cpu_s/M")
			b.ReportMetric(sum.workers/n, "workers_cpu_s/M")
			b.ReportMetric(sum.redis/n, "redis_cpu_s/M")
			b.ReportMetric((sum.workers+sum.redis)/sum.loop, "ratio")
		})
	}
}

// costFigures are one run's CPU-seconds per million targets.
type costFigures struct{ workers, redis, loop float64 }

// benchCost runs one job of targets through two workers and the plain loop
// beside it. The loop runs before the job and again after it, and its
// figure is the mean of the two: the CPU a run takes on this machine
// drifts by a third within minutes (other tenants), and bracketing the
// job cancels most of a drift.
func benchCost(b *testing.B, callRate, targets int) costFigures {
	rdb, redisURL := ownRedis(b)
	simAddr := faultnet.FreeAddr(b)
	start(b, "sim", nil, "sim", "--addr", simAddr, "--no-quotas")
	waitHTTP(b, "http://"+simAddr+"/sim/counts")
	_, vals := writeTargets(b, "c", targets)
	calls := targets / 1000

	loopBefore := plainLoopCPU(b, "http://"+simAddr, vals, calls, callRate)

	env := map[string]string{
		"CPUSH_REDIS_URL": redisURL, "CPUSH_PUSH_ENDPOINT": "http://" + simAddr, "CPUSH_LOG_LEVEL": "warn",
		"ALIBABA_CLOUD_ACCESS_KEY_ID": pushsim.TestAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": pushsim.TestAccessKeySecret,
		"CPUSH_CONCURRENCY": "32", "CPUSH_RATE_CONTINUOUSLY_PUSH": "100000",
	}
	if callRate > 0 {
		env["CPUSH_RATE_CONTINUOUSLY_PUSH"] = strconv.Itoa(callRate)
	}
	profileDir := os.Getenv("CPUSH_COST_PROFILE")
	if profileDir != "" {
		env["CPUSH_PPROF"] = "true"
	}
	if gogc := os.Getenv("GOGC"); gogc != "" {
		env["GOGC"] = gogc // the workers' as the plain loop's (this process's)
	}
	var workers []*proc
	var metricsURLs []string
	for i := range 2 {
		addr := faultnet.FreeAddr(b)
		env["CPUSH_HTTP_ADDR"] = addr
		workers = append(workers, start(b, fmt.Sprintf("worker%d", i+1), env, "worker"))
		waitHTTP(b, "http://"+addr+"/readyz")
		metricsURLs = append(metricsURLs, "http://"+addr+"/metrics")
	}
	// The job starts two seconds after it is staged: staging is the
	// producer's work, outside the measured window.
	client := jobs.NewClient(rdb, jobs.Options{})
	defer client.Close()
	startAt := time.Now().Add(2 * time.Second)
	plan, err := client.Enqueue(context.Background(), jobs.Job{ID: "cost", AppKey: 23267207, Target: push.TargetDevice,
		Targets: vals, Message: &push.Message{Title: "t", Body: "b"}, StartAt: startAt})
	if err != nil {
		b.Fatal(err)
	}
	// The window opens when the job is due: the workers' idle polling
	// before it is a cost per second, not per target, and how much of it
	// fell in the window depended on how long staging took.
	time.Sleep(time.Until(startAt))
	profiled := profileWorkers(b, profileDir, metricsURLs, callRate)
	cpu0, redis0 := procsCPU(b, workers), redisCounters(b, rdb)
	trips0 := sumMetric(b, metricsURLs, "cpush_redis_round_trips_total")
	st := waitStatus(b, client, plan.ID, 10*time.Minute)
	if st.Pushed != targets {
		b.Fatalf("pushed %d of %d (%s)", st.Pushed, targets, st.Status)
	}
	workerCPU, redis1 := procsCPU(b, workers)-cpu0, redisCounters(b, rdb)
	trips := sumMetric(b, metricsURLs, "cpush_redis_round_trips_total") - trips0
	perM := float64(targets) / 1e6
	redisCPU := redis1.cpu - redis0.cpu
	b.ReportMetric(trips/float64(calls), "round_trips/chunk")
	b.ReportMetric(float64(redis1.commands-redis0.commands)/float64(calls), "commands/chunk")
	b.Logf("commands per chunk, those run by scripts included: %s", perChunk(redis0.calls, redis1.calls, calls))
	b.Logf("Redis microseconds per chunk by command, a script's including its commands': %s",
		perChunk(redis0.usec, redis1.usec, calls))
	profiled.Wait()
	for _, w := range workers {
		w.stop(time.Minute)
	}
	loopAfter := plainLoopCPU(b, "http://"+simAddr, vals, calls, callRate)
	b.Logf("plain loop before the job %.2f, after it %.2f CPU-s/M", loopBefore.Seconds()/perM, loopAfter.Seconds()/perM)
	return costFigures{workers: workerCPU.Seconds() / perM, redis: redisCPU.Seconds() / perM,
		loop: (loopBefore + loopAfter).Seconds() / 2 / perM}
}

// profileSeconds is the length of the workers' CPU profiles: longer than
// the job, unlimited or at 200 calls/s.
const profileSeconds = 20

// profileWorkers takes a CPU profile of each worker (their metrics URLs'
// hosts) from now on, into dir, when dir is set (CPUSH_COST_PROFILE):
//
//	CPUSH_COST_PROFILE=/tmp/prof go test -run x -bench Cost/rate=unlimited -benchtime 1x ./e2e/
//	go tool pprof -top /tmp/prof/*.pprof
//
// Profiling costs the workers CPU too: the figures of such a run are not
// compared with others.
func profileWorkers(b *testing.B, dir string, metricsURLs []string, callRate int) *sync.WaitGroup {
	var wg sync.WaitGroup
	if dir == "" {
		return &wg
	}
	b.Logf("profiling the workers into %s: this run's CPU figures include the profiler's", dir)
	for i, u := range metricsURLs {
		url := strings.TrimSuffix(u, "/metrics") + "/debug/pprof/profile?seconds=" + strconv.Itoa(profileSeconds)
		path := filepath.Join(dir, fmt.Sprintf("cost-rate%d-%d-worker%d.pprof", callRate, time.Now().UnixNano(), i+1))
		wg.Go(func() {
			resp, err := http.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Errorf("profile of worker %d: %d %v", i+1, resp.StatusCode, err)
				return
			}
			if err := os.WriteFile(path, body, 0o644); err != nil {
				b.Error(err)
			}
		})
	}
	return &wg
}

// waitStatus polls job id every half second until it ends.
func waitStatus(b *testing.B, c *jobs.Client, id string, timeout time.Duration) *jobs.Status {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		st, err := c.Status(context.Background(), id)
		if err != nil {
			b.Fatal(err)
		}
		if st.Final() {
			return st
		}
		time.Sleep(500 * time.Millisecond)
	}
	b.Fatalf("job %s did not end in %s", id, timeout)
	return nil
}

// ownRedis starts a redis-server of the benchmark's own on a free port, so
// that its CPU and command counters are the benchmark's alone.
func ownRedis(b *testing.B) (redis.UniversalClient, string) {
	path := redistest.NeedServer(b)
	addr := faultnet.FreeAddr(b)
	host, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command(path, "--bind", host, "--port", port, "--save", "", "--appendonly", "no",
		"--dir", b.TempDir(), "--logfile", filepath.Join(b.TempDir(), "redis.log"))
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	b.Cleanup(func() { rdb.Close() })
	for range 100 {
		if rdb.Ping(context.Background()).Err() == nil {
			return rdb, "redis://" + addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatal("redis-server did not answer")
	return nil, ""
}

// plainLoopCPU makes the job's API calls with a plain loop through the
// adapter, 64 at a time (the workers' concurrency), paced at callRate calls/s
// (0: unpaced), and returns this process's CPU time for it.
func plainLoopCPU(b *testing.B, endpoint string, vals []string, calls, callRate int) time.Duration {
	svc, err := alibaba.New(alibaba.Config{Region: "cn-hangzhou", Endpoint: endpoint,
		AccessKeyID: pushsim.TestAccessKeyID, AccessKeySecret: pushsim.TestAccessKeySecret})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	limiter := rate.NewLimiter(rate.Inf, 1)
	if callRate > 0 {
		limiter = rate.NewLimiter(rate.Limit(callRate), max(1, callRate/10))
	}
	ctx := context.Background()
	cpu0 := selfCPU()
	mids := make([]string, (calls+9)/10)
	for i := range mids {
		res, err := svc.CreateMessage(ctx, 23267207, push.Message{Title: "t", Body: "b"})
		if err != nil {
			b.Fatal(err)
		}
		mids[i] = res.MessageID
	}
	next := make(chan int, calls)
	for i := range calls {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for i := range next {
				limiter.Wait(ctx)
				if _, err := svc.PushChunk(ctx, 23267207, mids[i/10], push.TargetDevice, vals[i*1000:(i+1)*1000]); err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for _, mid := range mids {
		if _, err := svc.CompleteMessage(ctx, 23267207, mid); err != nil {
			b.Fatal(err)
		}
	}
	return selfCPU() - cpu0
}

// selfCPU is this process's user and system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func procsCPU(b *testing.B, ps []*proc) time.Duration {
	var d time.Duration
	for _, p := range ps {
		d += cpuTime(b, p.cmd.Process.Pid)
	}
	return d
}

// perChunk lists, per chunk, how each command's counter (its calls, or
// its microseconds) grew from a to b, the largest first.
func perChunk(a, b map[string]int64, chunks int) string {
	type cmd struct {
		name string
		n    int64
	}
	var cmds []cmd
	for name, n := range b {
		if d := n - a[name]; d > 0 {
			cmds = append(cmds, cmd{name, d})
		}
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].n > cmds[j].n })
	var out []string
	for _, c := range cmds {
		out = append(out, fmt.Sprintf("%s %.2f", c.name, float64(c.n)/float64(chunks)))
	}
	return strings.Join(out, ", ")
}

// redisStats are a redis-server's CPU time and commands processed.
type redisStats struct {
	cpu      time.Duration
	commands int64
	calls    map[string]int64 // per command, those run by scripts included
	usec     map[string]int64 // per command, microseconds (a script's include the commands it runs)
}

func redisCounters(b *testing.B, rdb redis.UniversalClient) redisStats {
	info, err := rdb.Info(context.Background(), "cpu", "stats", "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	s := redisStats{calls: map[string]int64{}, usec: map[string]int64{}}
	for _, line := range strings.Split(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "used_cpu_sys", "used_cpu_user":
			f, _ := strconv.ParseFloat(v, 64)
			s.cpu += time.Duration(f * float64(time.Second))
		case "total_commands_processed":
			s.commands, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	for name, st := range redistest.ParseCommandStats(info) {
		s.calls[name], s.usec[name] = st.Calls, st.Usec
	}
	return s
}

// sumMetric adds up a counter without labels across the workers' /metrics.
func sumMetric(b *testing.B, urls []string, name string) float64 {
	total := 0.0
	for _, u := range urls {
		resp, err := http.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
				f, _ := strconv.ParseFloat(v, 64)
				total += f
			}
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return total
}
