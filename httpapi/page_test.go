package httpapi_test

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/worker"
)

// chromium returns the path of headless Chromium, skipping t where it is
// missing.
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium; .ci/run installs it)")
	}
	return path
}

// browse runs headless Chromium on url with the extra flags and returns its
// standard output.
func browse(t *testing.T, url string, flags ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--force-device-scale-factor=1", "--window-size=1200,800", "--user-data-dir=" + t.TempDir()}, flags...)
	cmd := exec.CommandContext(ctx, chromium(t), append(args, url)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	return out
}

// screenshot renders url and returns the picture and its file, which
// outlives the test so that a failure can be looked at.
func screenshot(t *testing.T, url string) (image.Image, string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "cpush-page-")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "page.png")
	browse(t, url, "--screenshot="+file)
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decoding the screenshot: %v", err)
	}
	return img, file
}

// The progress bar's colours, as page.html sets them.
var (
	trackColour  = color.RGBA{0xe0, 0xe0, 0xe0, 0xff}
	pushedColour = color.RGBA{0x2e, 0x7d, 0x32, 0xff}
	failedColour = color.RGBA{0xc6, 0x28, 0x28, 0xff}
)

// bar is one progress bar found on a screenshot: its width and the pixels
// of each part, on its middle row.
type bar struct{ width, pushed, failed int }

// findBars finds the progress bars of a screenshot, top to bottom: bands
// of at least 8 rows with a run of bar colours about 300 pixels wide.
func findBars(img image.Image) []bar {
	var bars []bar
	var band []bar
	b := img.Bounds()
	for y := b.Min.Y; y <= b.Max.Y; y++ {
		var row bar
		if y < b.Max.Y {
			row = barRow(img, y)
		}
		if row.width >= 290 && row.width <= 310 {
			band = append(band, row)
			continue
		}
		if len(band) >= 8 {
			bars = append(bars, band[len(band)/2])
		}
		band = nil
	}
	return bars
}

// barRow returns the longest run of bar colours on row y: text in the
// same colours never makes such a run.
func barRow(img image.Image, y int) bar {
	var best, run bar
	for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
		switch c := img.At(x, y); {
		case near(c, pushedColour):
			run.pushed++
		case near(c, failedColour):
			run.failed++
		case near(c, trackColour):
		default:
			run = bar{}
			continue
		}
		run.width++
		if run.width > best.width {
			best = run
		}
	}
	return best
}

func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, w uint8) bool { return math.Abs(float64(a>>8)-float64(w)) <= 6 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

// TestJobsPage_Chromium renders the job page in headless Chromium and
// checks what a person would see: one bar per job, filled in the job's
// proportions, and the reload only while a job runs.
func TestJobsPage_Chromium(t *testing.T) {
	chromium(t)
	limits := jobs.Limits{Limit: 1000, Unit: push.UnitTargets, TTL: 24 * time.Hour}
	e := setup(t, options{api: httpapi.Options{Jobs: jobs.Options{Limits: limits}}, worker: true, workerOpts: worker.Options{Limits: limits}})
	msg, err := e.svc.CreateMessage(context.Background(), testAppKey, push.Message{Title: "t", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	done := decode[httpapi.Created](t, e.postJSON(job(func(m map[string]any) {
		m["id"], m["targets"] = "page-done", devices("p", 3000)
	})), http.StatusAccepted)
	failed := decode[httpapi.Created](t, e.postJSON(job(func(m map[string]any) {
		delete(m, "message")
		m["id"], m["message_id"], m["targets"] = "page-failed", msg.MessageID, devices("q", 4000)
	})), http.StatusAccepted)
	e.wait(done.ID, 30*time.Second)
	st := e.wait(failed.ID, 30*time.Second)
	if st.Pushed != 1000 || st.FailedTotal != 3000 {
		t.Fatalf("page-failed pushed %d, failed %d; want 1000 and 3000", st.Pushed, st.FailedTotal)
	}
	page := e.url + "/jobs"

	dom := string(browse(t, page, "--dump-dom"))
	for _, want := range []string{`data-job="page-done" data-status="completed"`, `data-job="page-failed" data-status="failed"`,
		"MessageLimitExceeded: 3000", msg.MessageID, "pushed 1000 · failed 3000"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page lacks %q:\n%s", want, dom)
		}
	}
	if strings.Contains(dom, `http-equiv="refresh"`) {
		t.Errorf("the page reloads although every job has ended")
	}

	decode[httpapi.Created](t, e.postJSON(job(func(m map[string]any) {
		m["id"], m["start_at"] = "page-later", time.Now().Add(time.Hour).Format(time.RFC3339)
	})), http.StatusAccepted)
	if dom := string(browse(t, page, "--dump-dom")); !strings.Contains(dom, `http-equiv="refresh"`) {
		t.Errorf("the page does not reload while a job waits:\n%s", dom)
	}

	img, file := screenshot(t, page)
	bars := findBars(img)
	want := []struct {
		job            string
		pushed, failed float64 // shares of the bar
	}{{"page-later", 0, 0}, {"page-failed", 0.25, 0.75}, {"page-done", 1, 0}}
	if len(bars) != len(want) {
		t.Fatalf("found %d progress bars on the screenshot %s, want %d: %+v", len(bars), file, len(want), bars)
	}
	for i, w := range want {
		got := bars[i]
		p, f := float64(got.pushed)/float64(got.width), float64(got.failed)/float64(got.width)
		if math.Abs(p-w.pushed) > 0.01 || math.Abs(f-w.failed) > 0.01 {
			t.Errorf("bar of %s on %s: pushed %.3f, failed %.3f of %dpx; want %.2f and %.2f", w.job, file, p, f, got.width, w.pushed, w.failed)
		}
	}
	if !t.Failed() {
		os.RemoveAll(filepath.Dir(file))
	}
}
