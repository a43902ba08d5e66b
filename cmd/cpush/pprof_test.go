package main

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/cpush/cpush/internal/redistest"
)

// TestRun_PProf: with CPUSH_PPROF the runtime's profiles are served behind
// the admin tokens, a CPU profile included; without it, not at all; and
// never the command line.
func TestRun_PProf(t *testing.T) {
	const admin = "tok-one-0123456789abcdef0123456789"
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("ops:"+admin))

	t.Run("off", func(t *testing.T) {
		_, prefix := redistest.Namespace(t)
		vars := testVars(t, prefix)
		startCmd(t, vars, "api")
		if code, _ := request(t, "GET", "http://"+vars["CPUSH_HTTP_ADDR"]+"/debug/pprof/", "Bearer "+admin, ""); code != 404 {
			t.Errorf("GET /debug/pprof/ without CPUSH_PPROF = %d, want 404", code)
		}
	})
	t.Run("on", func(t *testing.T) {
		_, prefix := redistest.Namespace(t)
		vars := testVars(t, prefix)
		vars["CPUSH_PPROF"] = "true"
		vars["CPUSH_PRODUCER_TOKENS"] = "producer-0123456789abcdef0123456789"
		startCmd(t, vars, "api")
		base := "http://" + vars["CPUSH_HTTP_ADDR"] + "/debug/pprof/"
		for _, path := range []string{"", "goroutine?debug=2", "heap", "profile?seconds=1"} {
			if code, _ := request(t, "GET", base+path, "", ""); code != 401 {
				t.Errorf("GET %s without a token = %d, want 401", path, code)
			}
			if code, _ := request(t, "GET", base+path, "Bearer producer-0123456789abcdef0123456789", ""); code != 403 {
				t.Errorf("GET %s with a producer's token = %d, want 403", path, code)
			}
		}
		if code, body := request(t, "GET", base, basic, ""); code != 200 || !strings.Contains(body, "goroutine") {
			t.Errorf("GET /debug/pprof/ with the admin token = %d, want 200 with the profiles' index", code)
		}
		code, body := request(t, "GET", base+"profile?seconds=1", basic, "")
		if code != 200 || !strings.HasPrefix(body, "\x1f\x8b") { // a profile is gzipped protobuf
			t.Errorf("GET profile?seconds=1 = %d (%d bytes), want 200 with a gzipped profile", code, len(body))
		}
		if code, _ := request(t, "GET", base+"cmdline", basic, ""); code != 404 {
			t.Errorf("GET cmdline = %d, want 404: the command line is not served", code)
		}
		if code, _ := request(t, "GET", base+"profile?seconds=601", basic, ""); code != 400 {
			t.Errorf("GET profile?seconds=601 = %d, want 400", code)
		}
	})
}
