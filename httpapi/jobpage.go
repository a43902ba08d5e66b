package httpapi

import (
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

//go:embed jobpage.html
var jobPageHTML string

// jobPageTemplate renders one job's page.
var jobPageTemplate = template.Must(template.New("job").Funcs(template.FuncMap{"num": num}).Parse(jobPageHTML))

// num writes a count (an int or int64) with thousands separators:
// 300,000.
func num(v any) string {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	default:
		return fmt.Sprint(v)
	}
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// timeFormat is how the pages write a time.
const timeFormat = "2006-01-02 15:04:05 UTC"

// monitoringTaskPath is where the asynq web UI shows a task by its full ID
// (its lists show IDs cut at the first "-").
const monitoringTaskPath = "/monitoring/queues/%s/tasks/%s"

// jobPageData is what a job's page shows.
type jobPageData struct {
	Row            jobRow // the job with its progress bar, as on /jobs
	RefreshSeconds int    // 0: no reload
	Finished       string
	Chart          *chart // nil before the first push
	Delivery       *jobs.Delivery
	AsOf, Next     string  // the delivery figures' time, the next refresh's
	Funnel         *funnel // nil before any figure
	Messages       []messageRow
	Tasks          []taskLink
	CanCancel      bool
}

// messageRow is one MessageId's line: its figures, if any yet.
type messageRow struct {
	ID        string
	Stats     *push.Stats
	Refreshed string
	Error     string
}

// taskLink is one of the job's tasks in the asynq web UI.
type taskLink struct {
	Kind, ID, State, Href string
}

// jobPage renders one job: progress, a chart of pushes per second,
// failures by code, delivery statistics per MessageId with the funnel,
// its tasks in the web UI, and a cancel button while it has not ended.
func (s *Server) jobPage(w http.ResponseWriter, r *http.Request) {
	data, err := s.jobPageData(r)
	if err != nil {
		if errors.Is(err, jobs.ErrJobNotFound) {
			http.Error(w, "no job "+r.PathValue("id")+" (or it expired)", http.StatusNotFound)
			return
		}
		s.respondError(w, r, err)
		return
	}
	setPageHeaders(w)
	if err := jobPageTemplate.Execute(w, data); err != nil {
		s.opts.Logger.Warn("rendering a job's page", zap.Error(err))
	}
}

// setPageHeaders sets the headers of an HTML page: no script or anything
// from elsewhere, forms only to this site.
func setPageHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

func (s *Server) jobPageData(r *http.Request) (*jobPageData, error) {
	ctx, id := r.Context(), r.PathValue("id")
	st, err := s.client.Status(ctx, id)
	if err != nil {
		return nil, err
	}
	d, msgs, err := s.client.Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	series, err := s.client.Series(ctx, id)
	if err != nil {
		return nil, err
	}
	tasks, err := s.client.Tasks(ctx, id)
	if err != nil {
		return nil, err
	}
	data := &jobPageData{Row: newJobRow(st), RefreshSeconds: refreshOf(st, time.Now()), Chart: newChart(series),
		Delivery: d, Funnel: newFunnel(d), Messages: messageRows(st.MessageIDs, msgs), CanCancel: !st.Final()}
	data.Finished = formatTime(st.FinishedAt)
	if d != nil {
		data.AsOf, data.Next = formatTime(d.RefreshedAt), formatTime(d.NextRefreshAt)
	}
	for _, t := range tasks {
		data.Tasks = append(data.Tasks, taskLink{Kind: t.Kind, ID: t.ID, State: t.State,
			Href: fmt.Sprintf(monitoringTaskPath, url.PathEscape(t.Queue), url.PathEscape(t.ID))})
	}
	return data, nil
}

// formatTime writes t for a page; "" for the zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

// messageRows lists the job's MessageIds in order, each with its figures.
func messageRows(mids []string, msgs []jobs.MessageDelivery) []messageRow {
	byID := make(map[string]jobs.MessageDelivery, len(msgs))
	for _, m := range msgs {
		byID[m.MessageID] = m
	}
	rows := make([]messageRow, len(mids))
	for i, mid := range mids {
		rows[i] = messageRow{ID: mid}
		if m, ok := byID[mid]; ok {
			rows[i].Stats, rows[i].Error = &m.Stats, m.Error
			rows[i].Refreshed = formatTime(m.RefreshedAt)
		}
	}
	return rows
}

// cancelFromPage is the page's Cancel button: a same-origin form POST.
// It cancels the job as DELETE /v1/jobs/{id} does and goes back to the
// job's page.
func (s *Server) cancelFromPage(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "a cancel must come from this site's own job page", http.StatusForbidden)
		return
	}
	id := r.PathValue("id")
	err := s.client.Cancel(r.Context(), id)
	switch {
	case errors.Is(err, jobs.ErrJobNotFound):
		http.Error(w, "no job "+id+" (or it expired)", http.StatusNotFound)
		return
	case err != nil && !errors.Is(err, jobs.ErrJobFinished): // an ended job's page shows how it ended
		s.respondError(w, r, err)
		return
	case err == nil:
		s.opts.Logger.Info("job cancel asked from its page", zap.String("job_id", id))
	}
	http.Redirect(w, r, "/jobs/"+url.PathEscape(id), http.StatusSeeOther)
}

// sameOrigin reports whether a browser's form POST comes from this site:
// Sec-Fetch-Site same-origin (or none: the user's own doing), else an
// Origin naming this host. A client that sends neither is no browser
// acting for another site, and passes.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}
