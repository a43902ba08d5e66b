package redistest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/faultnet"
)

// ServerOptions configure a redis-server that a test starts.
type ServerOptions struct {
	// AppendFsync turns AOF persistence on with this fsync policy:
	// "everysec" or "always". "" runs without persistence.
	AppendFsync string
	// Args are more redis-server arguments, e.g. "--replicaof", "127.0.0.1 6380".
	Args []string
}

// Server is a redis-server process that a test started on a loopback port
// below the ephemeral range (see faultnet.FreePort), with its data in a
// directory of the test's own. It can be killed, restarted from the same
// directory and port, paused and resumed. Every process it starts is
// stopped when the test ends, failed or not.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	args []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	aof  []aofSample   // with AOF on, the AOF's recent sizes (Crash)
}

// StartServer starts a redis-server with opts and waits until it answers.
// It skips t where redis-server is missing.
func StartServer(t testing.TB, opts ServerOptions) *Server {
	t.Helper()
	dir := t.TempDir()
	port := faultnet.FreePort(t)
	args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "",
		"--logfile", filepath.Join(dir, "redis.log")}
	if opts.AppendFsync == "" {
		return startServer(t, dir, port, append(append(args, "--appendonly", "no"), opts.Args...))
	}
	args = append(args, "--appendonly", "yes", "--appendfsync", opts.AppendFsync)
	s := startServer(t, dir, port, append(args, opts.Args...))
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { defer close(done); s.sampleAOF(stop) }()
	t.Cleanup(func() { close(stop); <-done })
	return s
}

// startServer runs redis-server with args (the port's and the directory's
// among them) until t ends, and waits until it answers.
func startServer(t testing.TB, dir string, port int, args []string) *Server {
	t.Helper()
	s := &Server{t: t, bin: NeedServer(t), dir: dir, port: port, args: args}
	t.Cleanup(s.stop)
	s.Restart()
	return s
}

// Addr is the server's address, 127.0.0.1:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// URL is the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr() }

// Dir is the server's data directory.
func (s *Server) Dir() string { return s.dir }

// Pid is the process ID of the running server.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd.Process.Pid
}

// Client returns a client of the server, closed when t ends.
func (s *Server) Client(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), PoolSize: 16})
	t.Cleanup(func() { c.Close() })
	return c
}

// Kill sends SIGKILL to the server (and any child it forked, such as an AOF
// rewrite) and waits until it is gone. What it had not yet written to its
// AOF is lost, as in a crash.
func (s *Server) Kill() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.killLocked()
}

func (s *Server) killLocked() {
	if s.cmd == nil {
		return
	}
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
	s.cmd = nil
}

// Restart starts the server again from its directory and port, after Kill
// (or for the first time), and waits until it answers: with AOF on, until
// it has loaded its data. A port taken meanwhile makes it try again a few
// times.
func (s *Server) Restart() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.killLocked()
	for try := 0; ; try++ {
		cmd := exec.Command(s.bin, s.args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			s.t.Fatalf("starting redis-server %v: %v", s.args, err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		s.cmd, s.done = cmd, done
		if s.waitAnswer(done, 30*time.Second) {
			return
		}
		s.killLocked()
		if try == 3 {
			s.t.Fatalf("redis-server on %s did not answer; its log:\n%s", s.Addr(), s.logTail())
		}
	}
}

// waitAnswer waits until the server answers PING, or it exits, or timeout.
func (s *Server) waitAnswer(exited <-chan struct{}, timeout time.Duration) bool {
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1, DialTimeout: 200 * time.Millisecond,
		ReadTimeout: time.Second})
	defer c.Close()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if c.Ping(context.Background()).Err() == nil {
			return true
		}
		select {
		case <-exited:
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return false
}

// Pause stops the server with SIGSTOP: its connections stay open and
// connecting still succeeds (the kernel accepts), but nothing answers.
func (s *Server) Pause() { s.signal(syscall.SIGSTOP) }

// Resume continues a paused server with SIGCONT.
func (s *Server) Resume() { s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		syscall.Kill(-s.cmd.Process.Pid, sig)
	}
}

// stop kills the server for good when the test ends, and shows its log
// if the test failed.
func (s *Server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.killLocked()
	if s.t.Failed() {
		s.t.Logf("redis-server %s log (tail):\n%s", s.Addr(), s.logTail())
	}
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}
