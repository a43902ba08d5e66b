package httpapi

import (
	"time"

	"github.com/cpush/cpush/jobs"
)

// How often a page reloads itself (a meta refresh; the pages have no
// script): often while a job runs, slowly while jobs only wait for their
// start time, never once every job shown has ended.
const (
	refreshSeconds     = 5  // while a job runs
	slowRefreshSeconds = 60 // while jobs wait for their start, unless one starts sooner
)

// refreshFor is the reload interval of a page showing sts, in seconds; 0
// for none.
func refreshFor(sts []*jobs.Status, now time.Time) int {
	secs := 0
	for _, st := range sts {
		n := refreshOf(st, now)
		if n > 0 && (secs == 0 || n < secs) {
			secs = n
		}
	}
	return secs
}

// refreshOf is the reload interval of one job: none once it has ended;
// slow while it waits for its start, to reload about when it starts.
func refreshOf(st *jobs.Status, now time.Time) int {
	switch {
	case st.Final():
		return 0
	case waiting(st, now):
		wait := int(st.StartAt.Sub(now).Seconds()) + 1
		return max(refreshSeconds, min(slowRefreshSeconds, wait))
	}
	return refreshSeconds
}

// waiting reports whether a job is queued for a start time still ahead.
func waiting(st *jobs.Status, now time.Time) bool {
	return st.Status == jobs.StatusQueued && st.StartAt.After(now)
}
