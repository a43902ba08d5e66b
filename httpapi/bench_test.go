package httpapi_test

import (
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cpush/cpush/httpapi"
)

// BenchmarkServer_CreateStream1M uploads 1,000,000 device IDs of 32
// characters as a streamed upload and reports the peak heap against the
// targets' own bytes (peak/raw): the server holds the unique targets once
// (to drop duplicates) and one batch of chunks, not the body.
func BenchmarkServer_CreateStream1M(b *testing.B) {
	const n = 1_000_000
	const raw = n * 32
	e := setup(b, options{})
	var peak uint64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		stop := sampleHeap(&peak)
		resp := e.do(http.MethodPost, "/v1/jobs", httpapi.MediaStream, targetStream(n))
		stop()
		if resp.StatusCode != http.StatusAccepted {
			b.Fatalf("upload answered %d", resp.StatusCode)
		}
		peak -= min(peak, base.HeapAlloc)
	}
	b.ReportMetric(float64(peak)/raw, "peak/raw")
	b.ReportMetric(float64(peak)/(1<<20), "peakMiB")
}

// sampleHeap records the highest heap in use into peak until stop.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
