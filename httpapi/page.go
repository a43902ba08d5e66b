package httpapi

import (
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/cpush/cpush/jobs"
)

//go:embed page.html
var pageHTML string

// pageTemplate renders the job page.
var pageTemplate = template.Must(template.New("jobs").Parse(pageHTML))

// pageJobs is the number of jobs on one page.
const pageJobs = 50

// pageData is what the job page shows.
type pageData struct {
	Jobs           []jobRow
	Refresh        bool // a job on the page has not ended
	RefreshSeconds int
	Next           string // the cursor of the older jobs
}

// jobRow is one job of the page.
type jobRow struct {
	Job                                      *jobs.Status
	PushedWidth, FailedWidth, CancelledWidth string // CSS widths of the bar's parts
	Percent                                  string // of the unique targets done
	Codes                                    []codeCount
	Created                                  string
	Starts                                   string // a waiting job's start time
}

type codeCount struct {
	Code  string
	Count int
}

// jobsPage renders the recent jobs with their progress.
func (s *Server) jobsPage(w http.ResponseWriter, r *http.Request) {
	page, err := s.recentJobs(r)
	if err != nil {
		e, ok := asAPIError(err)
		if !ok {
			s.respondError(w, r, err)
			return
		}
		http.Error(w, e.Message, e.Status)
		return
	}
	data := pageData{RefreshSeconds: refreshFor(page.Jobs, time.Now()), Next: page.Next}
	data.Refresh = data.RefreshSeconds > 0
	for _, st := range page.Jobs {
		data.Jobs = append(data.Jobs, newJobRow(st))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "+frameAncestors)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := s.page.Execute(w, data); err != nil {
		s.opts.Logger.Warn("rendering the job page", zap.Error(err))
	}
}

// recentJobs lists the page's jobs from the cursor in r's query.
func (s *Server) recentJobs(r *http.Request) (jobs.Page, error) {
	q, err := parseQuery(r)
	if err != nil {
		return jobs.Page{}, err
	}
	cursor, err := queryValue(q, "cursor")
	if err != nil {
		return jobs.Page{}, err
	}
	return s.client.List(r.Context(), cursor, pageJobs)
}

func newJobRow(st *jobs.Status) jobRow {
	row := jobRow{Job: st, Created: st.CreatedAt.UTC().Format(timeFormat)}
	if waiting(st, time.Now()) {
		row.Starts = st.StartAt.UTC().Format(timeFormat)
	}
	row.PushedWidth = width(st.Pushed, st.Unique)
	row.FailedWidth = width(st.FailedTotal, st.Unique)
	row.CancelledWidth = width(st.Cancelled, st.Unique)
	done := st.Pushed + st.FailedTotal + st.Cancelled
	row.Percent = "0"
	if st.Unique > 0 {
		row.Percent = strconv.FormatFloat(100*float64(done)/float64(st.Unique), 'f', 1, 64)
	}
	for code, n := range st.Failed {
		row.Codes = append(row.Codes, codeCount{Code: code, Count: n})
	}
	sort.Slice(row.Codes, func(i, j int) bool { return row.Codes[i].Code < row.Codes[j].Code })
	return row
}

// width is n's share of total as a CSS percentage.
func width(n, total int) string {
	if total <= 0 || n <= 0 {
		return "0%"
	}
	return fmt.Sprintf("%.3f%%", 100*float64(min(n, total))/float64(total))
}
