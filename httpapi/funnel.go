package httpapi

import (
	"fmt"

	"github.com/cpush/cpush/jobs"
)

// funnel is the delivery funnel, sent -> received -> opened, drawn as one
// bar: the whole bar is sent, and received and opened cover their shares
// of it from the left.
type funnel struct {
	Sent, Received, Opened     int64
	ReceivedWidth, OpenedWidth string // CSS widths, of sent
	ReceivedShare, OpenedShare string // received of sent, opened of received
	OpenedOfSent               string
}

// newFunnel draws d's totals; nil before any figure, or when none was sent.
func newFunnel(d *jobs.Delivery) *funnel {
	if d == nil || d.Totals.Sent <= 0 {
		return nil
	}
	t := d.Totals
	return &funnel{Sent: t.Sent, Received: t.Received, Opened: t.Opened,
		ReceivedWidth: width64(t.Received, t.Sent), OpenedWidth: width64(t.Opened, t.Sent),
		ReceivedShare: share(t.Received, t.Sent), OpenedShare: share(t.Opened, t.Received),
		OpenedOfSent: share(t.Opened, t.Sent)}
}

// width64 is n's share of total as a CSS percentage.
func width64(n, total int64) string {
	if total <= 0 || n <= 0 {
		return "0%"
	}
	return fmt.Sprintf("%.3f%%", 100*float64(min(n, total))/float64(total))
}

// share is n's share of of, for a person: "87.0%", "-" when of is 0.
func share(n, of int64) string {
	if of <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}
