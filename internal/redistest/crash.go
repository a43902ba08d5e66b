package redistest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// aofSample is the size of the AOF file being appended to, at a moment.
type aofSample struct {
	at   time.Time
	path string
	size int64
}

// aofSampleEvery is how often a server with AOF records its AOF's size,
// the resolution of Crash.
const aofSampleEvery = 20 * time.Millisecond

// sampleAOF records the AOF's size every aofSampleEvery, keeping the last
// ten seconds, until stop is closed.
func (s *Server) sampleAOF(stop <-chan struct{}) {
	tick := time.NewTicker(aofSampleEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			path := s.appendFile()
			fi, err := os.Stat(path)
			if err != nil {
				continue
			}
			s.mu.Lock()
			s.aof = append(s.aof, aofSample{at: now, path: path, size: fi.Size()})
			if len(s.aof) > int(10*time.Second/aofSampleEvery) {
				s.aof = s.aof[1:]
			}
			s.mu.Unlock()
		}
	}
}

// appendFile is the AOF file Redis appends to: the incr file of the
// highest sequence in appendonlydir ("" when there is none).
func (s *Server) appendFile() string {
	files, _ := filepath.Glob(filepath.Join(s.dir, "appendonlydir", "*.incr.aof"))
	best, bestSeq := "", -1
	for _, f := range files {
		parts := strings.Split(filepath.Base(f), ".") // appendonly.aof.<seq>.incr.aof
		if len(parts) < 5 {
			continue
		}
		if seq, err := strconv.Atoi(parts[len(parts)-3]); err == nil && seq > bestSeq {
			best, bestSeq = f, seq
		}
	}
	return best
}

// Crash kills the server as a host crash would with AOF on: SIGKILL, then
// the writes of the last lost time are dropped from the AOF, as the
// kernel drops what was not yet fsynced when the power goes. With
// appendfsync everysec Redis fsyncs about once a second, so a crash loses
// up to a second or two of writes that clients were told succeeded; a
// plain Kill loses nothing on Linux, where the AOF is written to the page
// cache on every event loop. It returns the bytes dropped. Restart loads
// what is left (aof-load-truncated cuts a command the crash split).
func (s *Server) Crash(lost time.Duration) int64 {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.killLocked()
	if len(s.aof) == 0 {
		s.t.Fatalf("Crash: redis-server %s has no AOF samples (is AOF on?)", s.Addr())
	}
	cut := time.Now().Add(-lost)
	i := sort.Search(len(s.aof), func(i int) bool { return s.aof[i].at.After(cut) }) - 1
	if i < 0 {
		i = 0
	}
	keep := s.aof[i]
	fi, err := os.Stat(keep.path)
	if err != nil || keep.path != s.appendFile() {
		s.t.Fatalf("Crash: the AOF changed files within %s (%v); cannot drop its tail", lost, err)
	}
	if fi.Size() <= keep.size {
		return 0
	}
	if err := os.Truncate(keep.path, keep.size); err != nil {
		s.t.Fatal(fmt.Errorf("Crash: dropping the AOF's tail: %w", err))
	}
	return fi.Size() - keep.size
}
