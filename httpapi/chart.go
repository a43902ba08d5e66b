package httpapi

import (
	"fmt"
	"math"
	"time"

	"github.com/cpush/cpush/jobs"
)

// The chart of targets pushed per second: an SVG drawn on the server, one
// bar per bucket of the job's series, no script.
const (
	chartWidth  = 720 // px of the plot
	chartHeight = 160
)

// chart is what the template draws.
type chart struct {
	Width, Height int
	Bars          []chartBar
	// Peak is the highest rate, the top of the plot, e.g. "480/s".
	Peak string
	// Start and End label the time axis; Span is their distance.
	Start, End, Span string
	// Bucket says what a bar spans, e.g. "1s".
	Bucket string
	// Mean is the mean rate over the span.
	Mean string
}

// chartBar is one bar, in px of the plot, with what it counts.
type chartBar struct {
	X, Y, W, H string
	Pushed     int64
	Rate       string // targets per second in the bar's bucket
	At         string // its start
}

// newChart draws s; nil when nothing was pushed.
func newChart(s jobs.Series) *chart {
	if len(s.Pushed) == 0 || s.Width <= 0 {
		return nil
	}
	secs := s.Width.Seconds()
	var peak float64
	var total int64
	for _, n := range s.Pushed {
		peak = math.Max(peak, float64(n)/secs)
		total += n
	}
	span := time.Duration(len(s.Pushed)) * s.Width
	c := &chart{Width: chartWidth, Height: chartHeight, Peak: perSecond(peak), Bucket: s.Width.String(),
		Start: s.Start.UTC().Format("15:04:05"), End: s.Start.Add(span).UTC().Format("15:04:05 UTC"),
		Span: span.String(), Mean: perSecond(float64(total) / span.Seconds())}
	w := float64(chartWidth) / float64(len(s.Pushed))
	for i, n := range s.Pushed {
		r := float64(n) / secs
		h := 0.0
		if peak > 0 {
			h = r / peak * chartHeight
		}
		c.Bars = append(c.Bars, chartBar{X: px(float64(i) * w), W: px(w), Y: px(chartHeight - h), H: px(h), Pushed: n,
			Rate: perSecond(r), At: s.Start.Add(time.Duration(i) * s.Width).UTC().Format("15:04:05")})
	}
	return c
}

func px(v float64) string { return fmt.Sprintf("%.2f", v) }

// perSecond writes targets per second.
func perSecond(r float64) string {
	if r >= 10 || r == 0 {
		return fmt.Sprintf("%.0f/s", r)
	}
	return fmt.Sprintf("%.1f/s", r)
}
