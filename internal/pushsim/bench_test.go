package pushsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cpush/cpush/internal/pushsim"
)

// benchChunks is how many distinct chunks of 1,000 device ids the
// benchmarks cycle through.
const benchChunks = 256

// BenchmarkServer_ContinuouslyPush drives the simulator over real HTTP with
// the real SDK, 1,000 device ids per call, from many goroutines sharing one
// client with a pooled transport. Like cpush, each goroutine takes a fresh
// MessageId when the current one is full (10 calls of 1,000 at the default
// limit), so no call is refused. The SDK's shared client races, so do not
// run this with -race.
func BenchmarkServer_ContinuouslyPush(b *testing.B) {
	e := setup(b, pushsim.Config{NoQuotas: true})
	e.client.SetTransport(&http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64})
	chunks := deviceChunks(benchChunks, pushsim.MaxTargetsPerCall)
	callsPerMessage := pushsim.DefaultMessageLimit / pushsim.MaxTargetsPerCall
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var id string
		for calls := 0; pb.Next(); calls++ {
			if calls%callsPerMessage == 0 {
				resp, err := e.client.Push(e.pushRequest(testAppKey))
				if err != nil {
					b.Errorf("Push: %v", err)
					return
				}
				id = resp.MessageId
			}
			c := chunks[next.Add(1)%benchChunks]
			if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, c); err != nil {
				b.Errorf("ContinuouslyPush: %v", err)
				return
			}
		}
	})
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/secs, "calls/s")
	b.ReportMetric(float64(b.N*pushsim.MaxTargetsPerCall)/secs, "targets/s")
}

// deviceChunks returns n comma-separated chunks of width 32-hex-digit
// device ids, all distinct.
func deviceChunks(n, width int) []string {
	chunks := make([]string, n)
	for c := range chunks {
		var sb strings.Builder
		for i := range width {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "%08x%024x", c, i)
		}
		chunks[c] = sb.String()
	}
	return chunks
}

// BenchmarkServer_ServeHTTP measures the simulator alone: pre-signed
// ContinuouslyPush requests of 1,000 device ids straight into ServeHTTP,
// with no SDK and no network, a fresh MessageId every 10 calls.
func BenchmarkServer_ServeHTTP(b *testing.B) {
	sim := pushsim.New(pushsim.Config{NoQuotas: true})
	chunks := deviceChunks(benchChunks, pushsim.MaxTargetsPerCall)
	const batch = 1000
	var queries []string
	b.ResetTimer()
	for i := range b.N {
		if i%batch == 0 {
			b.StopTimer()
			queries = signedChunks(b, sim, chunks, i, batch)
			b.StartTimer()
		}
		w := httptest.NewRecorder()
		sim.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/?"+queries[i%batch], nil))
		if w.Code != http.StatusOK {
			b.Fatalf("got HTTP %d: %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}

// signedChunks returns n signed ContinuouslyPush queries of chunks, starting
// at call from, with a fresh message for every 10 calls.
func signedChunks(b *testing.B, sim *pushsim.Server, chunks []string, from, n int) []string {
	qs := make([]string, n)
	var id string
	for i := range qs {
		if i%10 == 0 {
			id = createDirect(b, sim)
		}
		p := signedParams(pushsim.ActionContinuouslyPush)
		p["SignatureNonce"] = fmt.Sprintf("bench-%d-%d", from, i)
		p["AppKey"], p["MessageId"], p["Target"] = "23267207", id, pushsim.TargetDevice
		p["TargetValue"] = chunks[(from+i)%len(chunks)]
		qs[i] = signRaw(p, pushsim.TestAccessKeySecret)
	}
	return qs
}

// createDirect stores a message through ServeHTTP and returns its MessageId.
func createDirect(b *testing.B, sim *pushsim.Server) string {
	p := signedParams(pushsim.ActionPush)
	p["AppKey"], p["Target"], p["TargetValue"], p["PushType"], p["DeviceType"] = "23267207", "TBD", "TBD", "MESSAGE", "ALL"
	p["Title"], p["Body"] = "hi", "hi"
	w := httptest.NewRecorder()
	sim.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/?"+signRaw(p, pushsim.TestAccessKeySecret), nil))
	var a rawAnswer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil || a.MessageId == "" {
		b.Fatalf("Push: HTTP %d %s", w.Code, w.Body)
	}
	return a.MessageId
}
