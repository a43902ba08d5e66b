package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/push/alibaba"
)

// TestRun_DeliveryStats sends a 25,000-target content job through `cpush
// worker` and the simulator: within the first refresh of its statistics,
// `cpush status --json`, GET /v1/jobs/{id} and the job's page each give
// totals equal to the sum of the simulator's answers for its MessageIds,
// and `cpush stats` lists them per MessageId.
func TestRun_DeliveryStats(t *testing.T) {
	_, prefix := redistest.Namespace(t)
	vars := testVars(t, prefix)
	sim := pushsim.New(pushsim.Config{NoQuotas: true, ReceivedFraction: 0.87, OpenedFraction: 0.33})
	hs := httptest.NewServer(sim)
	defer hs.Close()
	for k, v := range map[string]string{"CPUSH_PUSH_ENDPOINT": hs.URL, "CPUSH_STATS_SCHEDULE": "100ms,1h",
		"ALIBABA_CLOUD_ACCESS_KEY_ID": pushsim.TestAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": pushsim.TestAccessKeySecret} {
		vars[k] = v
	}
	startCmd(t, vars, "worker")
	ctx := context.Background()
	lines := make([]string, 25000)
	for i := range lines {
		lines[i] = fmt.Sprintf("dev%029d", i)
	}
	if _, _, err := runCmd(t, ctx, vars, "send", "--app-key", "23267207", "--target", "DEVICE", "--targets-file",
		writeTargets(t, lines...), "--title", "T", "--body", "B", "--id", "stats-job", "--wait"); err != nil {
		t.Fatalf("send --wait: %v", err)
	}

	var ev jobs.StatsEvent // cpush stats --json, once the first refresh is in
	for deadline := time.Now().Add(30 * time.Second); ev.Delivery == nil || ev.Delivery.Refreshes == 0; time.Sleep(100 * time.Millisecond) {
		out, _, err := runCmd(t, ctx, vars, "stats", "stats-job", "--json")
		if err != nil || json.Unmarshal([]byte(out), &ev) != nil {
			t.Fatalf("stats --json = %q, %v", out, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no refresh of the statistics in 30s: %+v", ev)
		}
	}
	sum := simSum(t, hs.URL, ev.Messages)
	if len(ev.Messages) != 3 || sum.Sent != 25000 {
		t.Fatalf("%d MessageIds, the simulator sent %d; want 3 and 25000", len(ev.Messages), sum.Sent)
	}
	if ev.Delivery.Totals != sum {
		t.Errorf("cpush stats --json totals = %+v, want the simulator's %+v", ev.Delivery.Totals, sum)
	}

	out, _, err := runCmd(t, ctx, vars, "status", "stats-job", "--json")
	var summary jobs.Summary
	if err != nil || json.Unmarshal([]byte(out), &summary) != nil || summary.Delivery == nil || summary.Delivery.Totals != sum {
		t.Errorf("cpush status --json = %s (%v), want delivery totals %+v", out, err, sum)
	}
	base, auth := "http://"+vars["CPUSH_HTTP_ADDR"], "Bearer tok-one-0123456789abcdef0123456789"
	code, body := request(t, "GET", base+"/v1/jobs/stats-job", auth, "")
	var st jobs.Status
	if code != 200 || json.Unmarshal([]byte(body), &st) != nil || st.Delivery == nil || st.Delivery.Totals != sum {
		t.Errorf("GET /v1/jobs/stats-job = %d %s, want delivery totals %+v", code, body, sum)
	}
	code, page := request(t, "GET", base+"/jobs/stats-job", "Basic "+basicAuth("ops", "tok-one-0123456789abcdef0123456789"), "")
	if code != 200 {
		t.Fatalf("GET /jobs/stats-job = %d", code)
	}
	for name, want := range map[string]int64{"accepted": sum.Accepted, "sent": sum.Sent, "received": sum.Received,
		"opened": sum.Opened, "deleted": sum.Deleted} {
		m := regexp.MustCompile(`class="total"[^>]* data-` + name + `="(\d+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Errorf("the job's page has no total %s", name)
			continue
		}
		if got, _ := strconv.ParseInt(m[1], 10, 64); got != want {
			t.Errorf("the job's page: total %s = %d, want the simulator's %d", name, got, want)
		}
	}

	text, _, err := runCmd(t, ctx, vars, "stats", "stats-job", "--refresh", "--timeout", "30s")
	if err != nil {
		t.Fatalf("stats --refresh: %v", err)
	}
	total := fmt.Sprintf("total  %d  %d  %d  %d  %d", sum.Accepted, sum.Sent, sum.Received, sum.Opened, sum.Deleted)
	if !strings.Contains(strings.Join(strings.Fields(text), "  "), total) || !strings.Contains(text, ev.Messages[2].MessageID) {
		t.Errorf("cpush stats =\n%s\nwant each MessageId and the line %q", text, total)
	}
}

// simSum asks the simulator for the statistics of each MessageId of msgs
// and adds them up.
func simSum(t *testing.T, endpoint string, msgs []jobs.MessageDelivery) push.Stats {
	t.Helper()
	svc, err := alibaba.New(alibaba.Config{Region: "cn-hangzhou", Endpoint: endpoint,
		AccessKeyID: pushsim.TestAccessKeyID, AccessKeySecret: pushsim.TestAccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	var sum push.Stats
	for _, m := range msgs {
		s, err := svc.QueryStats(context.Background(), 23267207, m.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		sum = sum.Add(s)
	}
	return sum
}
