package alibaba_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cpush/cpush/push"
)

// urlValues are n distinct target values of size bytes: ASCII, or, when
// encoded is set, UTF-8 characters of 3 bytes, each byte of which the URL
// query percent-encodes (the worst case of an account or alias).
func urlValues(n, size int, encoded bool) []string {
	out := make([]string, n)
	for i := range out {
		id := fmt.Sprintf("%06d", i)
		if !encoded {
			out[i] = id + strings.Repeat("a", size-len(id))
			continue
		}
		s := id + strings.Repeat("标", (size-len(id))/3)
		out[i] = s + strings.Repeat("a", size-len(s))
	}
	return out
}

// TestPushChunk_URLLength measures the request the SDK sends for one
// ContinuouslyPush call: every parameter, the target values included, goes
// in the query string of a POST. It prints the length of the request
// target (path and query: what a server's or proxy's URL limit counts)
// for the longest values cpush accepts, and checks that the body is empty
// and every value is in the query. Run it with -v to see the table
// (docs/benchmarks.md).
func TestPushChunk_URLLength(t *testing.T) {
	rec, c, _ := setupRecorder(t)
	const messageID = "12345678901234567890" // 20 digits, longer than the documented examples
	cases := []struct {
		target  string
		size    int
		encoded bool
		what    string
	}{
		{push.TargetDevice, 32, false, "device ID, 32 characters"},
		{push.TargetDevice, 64, false, "device ID, 64 bytes (cpush's bound)"},
		{push.TargetAccount, 64, false, "account, 64 bytes ASCII"},
		{push.TargetAccount, 64, true, "account, 64 bytes of CJK (percent-encoded)"},
		{push.TargetAlias, 128, false, "alias, 128 bytes ASCII"},
		{push.TargetAlias, 128, true, "alias, 128 bytes of CJK (percent-encoded)"},
	}
	counts := []int{1000, 500, 250, 100}
	var table strings.Builder
	fmt.Fprintf(&table, "\n| values | %s |\n|---|%s\n", strings.Join(itoaAll(counts), " | "), strings.Repeat("---|", len(counts)))
	for _, tc := range cases {
		fmt.Fprintf(&table, "| %s %s |", tc.target, tc.what)
		for _, n := range counts {
			vals := urlValues(n, tc.size, tc.encoded)
			if _, err := c.PushChunk(context.Background(), appKey, messageID, tc.target, vals); err != nil {
				t.Fatal(err)
			}
			rec.mu.Lock()
			req := rec.last
			rec.mu.Unlock()
			if req.Method != http.MethodPost || req.ContentLength > 0 {
				t.Errorf("%s: %s with a body of %d bytes, want a POST with the values in the query", tc.what, req.Method, req.ContentLength)
			}
			if got := req.URL.Query().Get("TargetValue"); got != strings.Join(vals, ",") {
				t.Fatalf("%s: TargetValue in the query is %d bytes, want the %d values", tc.what, len(got), n)
			}
			fmt.Fprintf(&table, " %d |", len(req.RequestURI))
		}
		table.WriteString("\n")
	}
	t.Logf("request target (path and query) in bytes, by values per call:%s", table.String())
}

func itoaAll(ns []int) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = fmt.Sprint(n)
	}
	return out
}
