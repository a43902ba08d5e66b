package httpapi_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

// The funnel's and the chart's colours, as jobpage.html sets them.
var (
	sentColour     = color.RGBA{0xbb, 0xde, 0xfb, 0xff}
	receivedColour = color.RGBA{0x42, 0xa5, 0xf5, 0xff}
	openedColour   = color.RGBA{0x0d, 0x47, 0xa1, 0xff}
	chartColour    = color.RGBA{0x00, 0x89, 0x7b, 0xff}
)

// funnelRow is the funnel bar found on a screenshot: the pixels of each
// colour on its middle row.
type funnelRow struct{ sent, received, opened int }

func (f funnelRow) width() int { return f.sent + f.received + f.opened }

// findFunnel finds the funnel bar: the row with the longest run of the
// funnel's colours, opened first, then received, then sent.
func findFunnel(img image.Image) funnelRow {
	var best funnelRow
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		var run funnelRow
		for x := b.Min.X; x < b.Max.X; x++ {
			switch c := img.At(x, y); {
			case near(c, openedColour) && run.received == 0 && run.sent == 0:
				run.opened++
			case near(c, receivedColour) && run.sent == 0:
				run.received++
			case near(c, sentColour):
				run.sent++
			default:
				if run.width() > best.width() {
					best = run
				}
				run = funnelRow{}
			}
		}
	}
	return best
}

// tallestColumn is the height in pixels of the tallest column of the
// chart's colour.
func tallestColumn(img image.Image) int {
	b := img.Bounds()
	most := 0
	for x := b.Min.X; x < b.Max.X; x++ {
		n := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			if near(img.At(x, y), chartColour) {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

// attr returns the integer value of attribute name of the first element
// of dom with class class.
func attr(t *testing.T, dom, class, name string) int64 {
	t.Helper()
	re := regexp.MustCompile(`class="` + regexp.QuoteMeta(class) + `"[^>]*\s` + name + `="(\d+)"`)
	m := re.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the page has no %s with %s", class, name)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// TestJobPage_Chromium renders a job's page in headless Chromium: its
// chart of pushes, failures with their download link, the MessageIds'
// delivery statistics with totals equal to the service's answers, the
// funnel in the proportions of those totals, and its tasks in the web UI
// by full ID. A scheduled job's page shows its start, reloads slowly and
// cancels it at once from its button; /jobs links each job to its page.
func TestJobPage_Chromium(t *testing.T) {
	chromium(t)
	limits := jobs.Limits{Limit: 1000, Unit: push.UnitTargets, TTL: 24 * time.Hour}
	e := setup(t, options{api: httpapi.Options{Jobs: jobs.Options{Limits: limits}},
		sim:    pushsim.Config{ReceivedFraction: 0.87, OpenedFraction: 0.33},
		worker: true, workerOpts: worker.Options{Limits: limits, StatsSchedule: []time.Duration{50 * time.Millisecond}}})
	ctx := context.Background()
	decode[httpapi.Created](t, e.postJSON(job(func(m map[string]any) {
		m["id"], m["targets"] = "nc-expired-1", devices("d", 10000)
	})), http.StatusAccepted)
	msg, err := e.svc.CreateMessage(ctx, testAppKey, push.Message{Title: "t", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	decode[httpapi.Created](t, e.postJSON(job(func(m map[string]any) {
		delete(m, "message")
		m["id"], m["message_id"], m["targets"] = "page-failed", msg.MessageID, devices("q", 4000)
	})), http.StatusAccepted)
	st := e.wait("nc-expired-1", 60*time.Second)
	e.wait("page-failed", 60*time.Second)
	d := e.waitDelivery("nc-expired-1", 30*time.Second)
	var sum push.Stats
	for _, mid := range st.MessageIDs {
		s, err := e.svc.QueryStats(ctx, testAppKey, mid)
		if err != nil {
			t.Fatal(err)
		}
		sum = sum.Add(s)
	}
	if d.Totals != sum || sum.Sent != 10000 {
		t.Fatalf("delivery totals %+v, want the service's %+v", d.Totals, sum)
	}

	t.Run("a job's page", func(t *testing.T) {
		page := e.url + "/jobs/nc-expired-1"
		dom := string(browse(t, page, "--dump-dom"))
		for _, want := range []string{`data-status="completed"`, `<rect class="rate"`, `class="funnel"`,
			`href="/monitoring/queues/` + e.prefix + `:stats/tasks/nc-expired-1:stats:0"`, ">nc-expired-1:stats:0<",
			"No target failed.", `data-mid="` + st.MessageIDs[9] + `"`} {
			if !strings.Contains(dom, want) {
				t.Errorf("rendered page lacks %q", want)
			}
		}
		if strings.Contains(dom, `http-equiv="refresh"`) || strings.Contains(dom, `class="cancel"`) {
			t.Errorf("an ended job's page reloads or offers to cancel")
		}
		for name, want := range map[string]int64{"data-accepted": sum.Accepted, "data-sent": sum.Sent,
			"data-received": sum.Received, "data-opened": sum.Opened} {
			if got := attr(t, dom, "total", name); got != want {
				t.Errorf("total %s = %d, want the service's %d", name, got, want)
			}
		}
		pushed := int64(0)
		for _, m := range regexp.MustCompile(`class="rate"[^>]*data-pushed="(\d+)"`).FindAllStringSubmatch(dom, -1) {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			pushed += n
		}
		if pushed != 10000 {
			t.Errorf("the chart's bars count %d pushed, want 10000", pushed)
		}

		img, file := screenshot(t, page)
		f := findFunnel(img)
		sent := float64(sum.Sent)
		want := funnelRow{opened: int(math.Round(600 * float64(sum.Opened) / sent)),
			received: int(math.Round(600 * float64(sum.Received-sum.Opened) / sent)),
			sent:     int(math.Round(600 * float64(sum.Sent-sum.Received) / sent))}
		if f.width() < 595 || f.width() > 605 || abs(f.opened-want.opened) > 2 || abs(f.received-want.received) > 2 {
			t.Errorf("funnel on %s = %+v, want about %+v of 600px", file, f, want)
		}
		if h := tallestColumn(img); h < 150 || h > 165 {
			t.Errorf("the chart's tallest column on %s is %dpx, want the plot's height, 160", file, h)
		}
		if !t.Failed() {
			os.RemoveAll(filepath.Dir(file))
		}
	})
	t.Run("failures by code", func(t *testing.T) {
		dom := string(browse(t, e.url+"/jobs/page-failed", "--dump-dom"))
		for _, want := range []string{`data-code="MessageLimitExceeded" data-count="3000"`,
			`href="/v1/jobs/page-failed/failed"`, `data-status="failed"`} {
			if !strings.Contains(dom, want) {
				t.Errorf("rendered page lacks %q", want)
			}
		}
	})
	t.Run("a scheduled job waits, then is cancelled from its page", func(t *testing.T) {
		start := time.Now().Add(2 * time.Hour)
		decode[httpapi.Created](t, e.postJSON(job(func(m map[string]any) {
			m["id"], m["start_at"] = "page-later", start.Format(time.RFC3339)
		})), http.StatusAccepted)
		dom := string(browse(t, e.url+"/jobs/page-later", "--dump-dom"))
		for _, want := range []string{`content="60"`, "starts " + start.UTC().Format("2006-01-02 15:04:05 UTC"),
			`<form class="cancel" method="post" action="/jobs/page-later/cancel">`, "none yet"} {
			if !strings.Contains(dom, want) {
				t.Errorf("the waiting job's page lacks %q", want)
			}
		}
		if list := string(browse(t, e.url+"/jobs", "--dump-dom")); !strings.Contains(list, `content="60"`) ||
			!strings.Contains(list, `href="/jobs/page-later"`) || !strings.Contains(list, `href="/jobs/nc-expired-1"`) {
			t.Errorf("/jobs does not link each job to its page, or does not reload slowly while a job waits")
		}

		resp := e.pagePost("/jobs/page-later/cancel", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("a cross-site cancel = %d, want 403", resp.StatusCode)
		}
		resp = e.pagePost("/jobs/page-later/cancel", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": e.url})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/jobs/page-later" {
			t.Errorf("the page's cancel = %d to %q, want 303 to the job's page", resp.StatusCode, resp.Header.Get("Location"))
		}
		got, err := e.client.Status(ctx, "page-later")
		if err != nil || got.Status != jobs.StatusCancelled || got.Cancelled != 4 {
			t.Fatalf("status after the cancel = %+v, %v; want cancelled at once", got, err)
		}
		dom = string(browse(t, e.url+"/jobs/page-later", "--dump-dom"))
		if !strings.Contains(dom, "none: nothing was pushed") || strings.Contains(dom, "none yet") || strings.Contains(dom, `class="cancel"`) {
			t.Errorf("the cancelled job's page says its MessageIds are to come, or offers to cancel")
		}
		if list := string(browse(t, e.url+"/jobs", "--dump-dom")); strings.Contains(list, "none yet") {
			t.Errorf("/jobs says a cancelled job's MessageIds are to come")
		}
	})
}

func abs(n int) int { return max(n, -n) }

// waitDelivery polls job id until its first full refresh of delivery
// statistics is in.
func (e *env) waitDelivery(id string, timeout time.Duration) *jobs.Delivery {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		d, _, err := e.client.Delivery(context.Background(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		if d != nil && d.Refreshes > 0 {
			return d
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("job %s: no full refresh of its statistics in %s", id, timeout)
	return nil
}

// pagePost sends a form POST as a browser would, with headers, and does
// not follow a redirect.
func (e *env) pagePost(path string, headers map[string]string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url+path, strings.NewReader(""))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if e.token != "" {
		req.SetBasicAuth("ops", e.token)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(fmt.Errorf("POST %s: %w", path, err))
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}
