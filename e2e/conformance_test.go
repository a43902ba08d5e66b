package e2e

import (
	"testing"
	"time"
)

// TestBinary_Conformance: a content-mode job of 25,000 targets, the
// default, through two worker processes with their default settings and
// `cpush sim`, whose every rule is written from the API pages, with the
// pages' quotas on and the strict reading where they are silent; then
// through a gateway that refuses request URIs over 8 KiB (the pages give
// none; nginx's default line buffer), with CPUSH_VALUES_PER_CALL set as
// docs/benchmarks.md says for it. Each job completes with every target
// delivered once, every MessageId completed, and no call refused for
// breaking a rule.
func TestBinary_Conformance(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two fleets")
	}
	t.Parallel()
	for _, tt := range []struct {
		name    string
		simArgs []string
		env     map[string]string
	}{
		{name: "documented defaults"},
		{name: "8 KiB URI gateway", simArgs: []string{"--max-url-bytes", "8192"}, env: map[string]string{"CPUSH_VALUES_PER_CALL": "200"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFleet(t, tt.simArgs...)
			for k, v := range tt.env {
				f.env[k] = v // the producer's too: it stages the chunks
			}
			f.worker(nil)
			f.worker(nil)
			file, vals := writeTargets(t, "k", 25_000)
			f.send(file, "conformance")
			st, ended := f.waitFinal("conformance", 2*time.Minute)
			if !ended {
				t.Errorf("the job did not end within 2 minutes")
			}
			checkJob(t, f, st, want{targets: vals, why: "no fault"})
			if c := f.simStats().Calls["ContinuouslyPush"]; c["Simulator.URITooLong"] > 0 {
				t.Errorf("%d calls refused for their URI's length", c["Simulator.URITooLong"])
			}
		})
	}
}
