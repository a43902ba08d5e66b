package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/faultnet"
	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/internal/syncbuf"
)

// binary is the cpush binary TestMain builds.
var binary string

// parallelDefault is how many parallel tests run at once unless -parallel
// says otherwise: these tests mostly wait on processes (an outage, asynq's
// lease recovery), not on the CPU, so GOMAXPROCS (the usual default) would
// only make them take longer.
const parallelDefault = "16"

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", parallelDefault)
	}
	dir, err := os.MkdirTemp("", "cpush-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "cpush")
	build := exec.Command("go", "build", "-o", binary, "../cmd/cpush")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building cpush:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a cpush process.
type proc struct {
	t    testing.TB
	name string
	cmd  *exec.Cmd
	out  *syncbuf.Buffer
	done chan error
	http string // a worker's CPUSH_HTTP_ADDR
}

// start runs cpush with args and env (on top of a clean environment) until
// the test ends.
func start(t testing.TB, name string, env map[string]string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = environ(env)
	// Its own process group, and killed with the test process should that
	// die without running the cleanups (a test binary timeout).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out := &syncbuf.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &proc{t: t, name: name, cmd: cmd, out: out, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		if t.Failed() {
			t.Logf("%s output (last 3000 bytes):\n%s", name, tail(out.String(), 3000))
		}
		keepLog(t, name, out.String())
	})
	return p
}

// keepLog writes a process's whole output to $CPUSH_E2E_LOGS/<test>.<name>.log
// when that variable names a directory: the tail a failure prints may not
// reach back to the fault.
func keepLog(t testing.TB, name, out string) {
	dir := os.Getenv("CPUSH_E2E_LOGS")
	if dir == "" {
		return
	}
	file := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+"."+name+".log")
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Logf("keeping %s's log: %v", name, err)
	}
}

func environ(env map[string]string) []string {
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop(timeout time.Duration) {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			p.t.Errorf("%s exited with %v after SIGTERM, want 0", p.name, err)
		}
	case <-time.After(timeout):
		p.t.Errorf("%s did not stop within %s of SIGTERM", p.name, timeout)
	}
}

// kill sends SIGKILL.
func (p *proc) kill() {
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	err := <-p.done
	p.done <- err
}

// run runs cpush to its end and returns its standard output.
func run(t testing.TB, ctx context.Context, env map[string]string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = environ(env)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("cpush %s: %w: %s", strings.Join(args, " "), err, tail(stderr.String(), 2000))
	}
	return stdout.String(), err
}

// waitHTTP waits until GET url answers 200.
func waitHTTP(t testing.TB, url string) {
	t.Helper()
	for range 200 {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer", url)
}

func getJSON(t testing.TB, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decoding %s: %v", url, err)
	}
}

// writeTargets writes n device IDs starting with tag, one per line.
func writeTargets(t testing.TB, tag string, n int) (string, []string) {
	t.Helper()
	vals := make([]string, n)
	var b strings.Builder
	for i := range vals {
		vals[i] = fmt.Sprintf("%s%0*d", tag, 32-len(tag), 1_000_000_000+i) // a device ID: 32 digits and lower-case letters
		b.WriteString(vals[i])
		b.WriteByte('\n')
	}
	p := filepath.Join(t.TempDir(), "targets.txt")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, vals
}

// needRealRedis skips t where no real Redis answers: processes cannot share
// an in-process miniredis.
func needRealRedis(t testing.TB) {
	if !redistest.Real() {
		t.Skip("needs a real Redis at " + redistest.URL() + "; .ci/run starts one")
	}
}

// fleet is a simulator and the environment its workers and producers share.
type fleet struct {
	t       testing.TB
	simAddr string
	sim     *proc
	env     map[string]string
	rdb     redis.UniversalClient // the test's own client of the workers' Redis
	workers []*proc
}

// newFleet starts a simulator with simArgs for workers on the test Redis.
func newFleet(t testing.TB, simArgs ...string) *fleet {
	t.Helper()
	needRealRedis(t)
	rdb, prefix := redistest.Namespace(t)
	return newFleetOn(t, redistest.URL(), rdb, prefix, simArgs...)
}

// newFleetOn starts a simulator with simArgs for workers on the Redis at
// url, which the test reads through rdb, under prefix.
func newFleetOn(t testing.TB, url string, rdb redis.UniversalClient, prefix string, simArgs ...string) *fleet {
	t.Helper()
	f := &fleet{t: t, simAddr: faultnet.FreeAddr(t), rdb: rdb}
	f.sim = start(t, "sim", nil, append([]string{"sim", "--addr", f.simAddr}, simArgs...)...)
	waitHTTP(t, "http://"+f.simAddr+"/sim/counts")
	f.env = map[string]string{
		"CPUSH_REDIS_URL": url, "CPUSH_PREFIX": prefix,
		"CPUSH_PUSH_ENDPOINT": "http://" + f.simAddr, "CPUSH_LOG_LEVEL": "warn",
		"ALIBABA_CLOUD_ACCESS_KEY_ID": "cpush-sim-test-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "cpush-sim-test-secret",
	}
	return f
}

// worker starts a worker process with extra settings.
func (f *fleet) worker(extra map[string]string) *proc {
	f.t.Helper()
	env := map[string]string{}
	for k, v := range f.env {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	addr := faultnet.FreeAddr(f.t)
	env["CPUSH_HTTP_ADDR"] = addr
	p := start(f.t, fmt.Sprintf("worker%d", len(f.workers)+1), env, "worker")
	p.http = addr
	waitHTTP(f.t, "http://"+addr+"/readyz")
	f.workers = append(f.workers, p)
	return p
}
