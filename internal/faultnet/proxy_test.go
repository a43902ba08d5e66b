package faultnet_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/faultnet"
)

// upstream is an HTTP server that counts the requests it carried out.
type upstream struct {
	srv     *httptest.Server
	carried atomic.Int64
}

func setup(t *testing.T) (*upstream, *faultnet.Proxy, *http.Client) {
	t.Helper()
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.carried.Add(1)
		io.WriteString(w, "done "+r.URL.Query().Get("Action"))
	}))
	t.Cleanup(u.srv.Close)
	p := faultnet.Start(t, u.srv.Listener.Addr().String())
	c := &http.Client{Timeout: 500 * time.Millisecond, Transport: &http.Transport{}}
	t.Cleanup(c.CloseIdleConnections)
	return u, p, c
}

func get(c *http.Client, p *faultnet.Proxy, action string) (string, error) {
	resp, err := c.Get("http://" + p.Addr() + "/?Action=" + action + "&Version=1")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func mustGet(t *testing.T, c *http.Client, p *faultnet.Proxy, action string) {
	t.Helper()
	got, err := get(c, p, action)
	if err != nil || got != "done "+action {
		t.Fatalf("GET through the proxy = %q, %v; want %q", got, err, "done "+action)
	}
}

func TestProxy_Pass(t *testing.T) {
	u, p, c := setup(t)
	for range 3 {
		mustGet(t, c, p, "Push")
	}
	if u.carried.Load() != 3 {
		t.Errorf("upstream carried out %d requests, want 3", u.carried.Load())
	}
	if st := p.Stats(); st.Requests != 3 || st.Accepted != 1 {
		t.Errorf("stats = %+v, want 3 requests on 1 kept-alive connection", st)
	}
}

func TestProxy_Refuse(t *testing.T) {
	_, p, c := setup(t)
	mustGet(t, c, p, "Push") // a kept-alive connection
	if err := p.Set(faultnet.Refuse); err != nil {
		t.Fatal(err)
	}
	t.Run("new connections are refused", func(t *testing.T) {
		start := time.Now()
		_, err := net.DialTimeout("tcp", p.Addr(), time.Second)
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial = %v, want ECONNREFUSED", err)
		}
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Errorf("refusal took %s, want at once", d)
		}
	})
	t.Run("the kept-alive connection was reset", func(t *testing.T) {
		if st := p.Stats(); st.Reset != 1 {
			t.Errorf("stats = %+v, want 1 reset", st)
		}
		if _, err := get(c, p, "Push"); err == nil {
			t.Error("GET succeeded while refusing")
		}
	})
	t.Run("restored", func(t *testing.T) {
		if err := p.Set(faultnet.Pass); err != nil {
			t.Fatal(err)
		}
		mustGet(t, c, p, "Push")
	})
}

// TestProxy_RefuseRacesAccept switches to Refuse while clients keep
// opening connections: one the listener accepted just before it closed
// must not carry traffic through the outage. Each client sends a request
// a millisecond on a connection for up to 300 requests, so a connection
// that slipped through would carry some while the test watches.
func TestProxy_RefuseRacesAccept(t *testing.T) {
	u, p, _ := setup(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				churn(p.Addr(), stop)
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	for cycle := range 50 {
		if err := p.Set(faultnet.Pass); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
		if err := p.Set(faultnet.Refuse); err != nil {
			t.Fatal(err)
		}
		// Requests forwarded before the reset may still reach the
		// upstream's handler a while later on a loaded machine.
		time.Sleep(50 * time.Millisecond)
		before := u.carried.Load()
		time.Sleep(50 * time.Millisecond)
		if after := u.carried.Load(); after != before {
			t.Fatalf("cycle %d: %d requests carried out while refusing", cycle, after-before)
		}
	}
}

// churn opens a connection to addr and sends up to 300 requests on it,
// one a millisecond, until one fails or stop is closed.
func churn(addr string, stop <-chan struct{}) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		time.Sleep(time.Millisecond)
		return
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for range 300 {
		select {
		case <-stop:
			return
		default:
		}
		c.SetDeadline(time.Now().Add(time.Second))
		if _, err := io.WriteString(c, "GET /?Action=Push HTTP/1.1\r\nHost: upstream\r\n\r\n"); err != nil {
			return
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		time.Sleep(time.Millisecond)
	}
}

func TestProxy_Blackhole(t *testing.T) {
	u, p, c := setup(t)
	mustGet(t, c, p, "Push")
	if err := p.Set(faultnet.Blackhole); err != nil {
		t.Fatal(err)
	}
	t.Run("connections open, requests unanswered", func(t *testing.T) {
		nc, err := net.DialTimeout("tcp", p.Addr(), time.Second)
		if err != nil {
			t.Fatalf("dial while black-holed = %v, want a connection", err)
		}
		nc.Close()
		_, err = get(c, p, "Push")
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("GET = %v, want a timeout", err)
		}
		if u.carried.Load() != 1 {
			t.Errorf("upstream carried out %d requests, want only the one before", u.carried.Load())
		}
	})
	t.Run("restored", func(t *testing.T) {
		if err := p.Set(faultnet.Pass); err != nil {
			t.Fatal(err)
		}
		mustGet(t, c, p, "Push")
	})
}

func TestProxy_DropAnswers(t *testing.T) {
	u, p, c := setup(t)
	if err := p.Set(faultnet.DropAnswers); err != nil {
		t.Fatal(err)
	}
	_, err := get(c, p, "ContinuouslyPush")
	if err == nil {
		t.Fatal("GET succeeded, want its answer dropped")
	}
	if u.carried.Load() != 1 {
		t.Errorf("upstream carried out %d requests, want 1: the request reaches it", u.carried.Load())
	}
	if st := p.Stats(); st.Dropped != 1 {
		t.Errorf("stats = %+v, want 1 dropped answer", st)
	}
	if err := p.Set(faultnet.Pass); err != nil {
		t.Fatal(err)
	}
	mustGet(t, c, p, "ContinuouslyPush")
}

func TestProxy_Hold(t *testing.T) {
	u, p, c := setup(t)
	h := p.Hold("Action=ContinuouslyPush")
	got := make(chan string, 1)
	go func() {
		slow := &http.Client{Timeout: 5 * time.Second}
		s, err := get(slow, p, "ContinuouslyPush")
		if err != nil {
			s = err.Error()
		}
		got <- s
	}()
	select {
	case line := <-h.Held():
		if !strings.HasPrefix(line, "GET /?Action=ContinuouslyPush") {
			t.Errorf("held request line %q", line)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no answer held")
	}
	t.Run("others pass", func(t *testing.T) { mustGet(t, c, p, "Push") })
	t.Run("carried out, answer held", func(t *testing.T) {
		if u.carried.Load() != 2 {
			t.Errorf("upstream carried out %d requests, want 2", u.carried.Load())
		}
		select {
		case s := <-got:
			t.Fatalf("the held request got %q before Release", s)
		case <-time.After(200 * time.Millisecond):
		}
	})
	h.Release()
	if s := <-got; s != "done ContinuouslyPush" {
		t.Errorf("after Release the held request got %q", s)
	}
	if h.Count() != 1 {
		t.Errorf("held %d answers, want 1", h.Count())
	}
	mustGet(t, c, p, "ContinuouslyPush")
}

func TestFreePort(t *testing.T) {
	seen := map[int]bool{}
	for range 20 {
		port := faultnet.FreePort(t)
		if port >= 32768 || port < 20000 || seen[port] {
			t.Fatalf("FreePort = %d, want a fresh port in 20000..32767", port)
		}
		seen[port] = true
	}
	host, port, err := net.SplitHostPort(faultnet.FreeAddr(t))
	if n, _ := strconv.Atoi(port); err != nil || host != "127.0.0.1" || n >= 32768 || n < 20000 || seen[n] {
		t.Errorf("FreeAddr = %s:%s (%v), want 127.0.0.1 and a fresh port in 20000..32767", host, port, err)
	}
}
