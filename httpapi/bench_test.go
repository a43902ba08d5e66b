package httpapi_test

import (
	"bufio"
	"fmt"
	"io"
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
	benchUploads(b, 1, 1_000_000, 32, httpapi.DefaultMaxUploads)
}

// BenchmarkServer_CreateStreamAliases uploads 250,000 aliases of 128
// bytes, the longest: peak/raw says what the server holds per upload of
// the longest targets (5,000,000 of them: 5,000,000 x 128 x peak/raw).
func BenchmarkServer_CreateStreamAliases(b *testing.B) {
	benchUploads(b, 1, 250_000, 128, httpapi.DefaultMaxUploads)
}

// BenchmarkServer_CreateStreamAtOnce sends 4 uploads of 250,000 device
// IDs at once to a server that takes DefaultMaxUploads (2) at a time; the
// others are answered 429 and try again. peakMiB/upload is the peak heap
// over the uploads the server holds at once.
func BenchmarkServer_CreateStreamAtOnce(b *testing.B) {
	benchUploads(b, 4, 250_000, 32, httpapi.DefaultMaxUploads)
}

// benchUploads sends uploaders streamed uploads of n targets of width
// bytes each at once, to a server that takes maxUploads at a time, and
// reports the peak heap: in all (peakMiB), per upload held at once
// (peakMiB/upload), and against the bytes of those uploads' targets
// (peak/raw).
func benchUploads(b *testing.B, uploaders, n, width, maxUploads int) {
	e := setup(b, options{api: httpapi.Options{MaxUploads: maxUploads}})
	held := min(uploaders, maxUploads)
	raw := float64(held * n * width)
	var peak uint64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		stop := sampleHeap(&peak)
		var wg sync.WaitGroup
		for u := range uploaders {
			wg.Go(func() { e.uploadUntilTaken(b, fmt.Sprintf("b%dx%dx", i, u), n, width) })
		}
		wg.Wait()
		stop()
		peak -= min(peak, base.HeapAlloc)
	}
	b.ReportMetric(float64(peak)/raw, "peak/raw")
	b.ReportMetric(float64(peak)/(1<<20), "peakMiB")
	b.ReportMetric(float64(peak)/(1<<20)/float64(held), "peakMiB/upload")
}

// uploadUntilTaken uploads n targets of width bytes starting with tag,
// again while the server answers 429.
func (e *env) uploadUntilTaken(b *testing.B, tag string, n, width int) {
	for {
		resp := e.do(http.MethodPost, "/v1/jobs", httpapi.MediaStream, wideStream(tag, n, width))
		io.Copy(io.Discard, resp.Body)
		switch resp.StatusCode {
		case http.StatusAccepted:
			return
		case http.StatusTooManyRequests:
			time.Sleep(20 * time.Millisecond)
		default:
			b.Errorf("upload answered %d", resp.StatusCode)
			return
		}
	}
}

// wideStream is a streamed upload of n distinct targets of width bytes
// (32: device IDs; 128: the longest aliases), written as it is read.
func wideStream(tag string, n, width int) io.Reader {
	header := streamHeader
	if width > 32 {
		header = `{"app_key": 23267207, "target": "ALIAS", "message": {"title": "Sale", "body": "Half price"}}`
	}
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 64<<10)
		fmt.Fprintln(w, header)
		pad := width - len(tag)
		for i := range n {
			fmt.Fprintf(w, "%s%0*x\n", tag, pad, i*2654435761)
		}
		pw.CloseWithError(w.Flush())
	}()
	return pr
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
