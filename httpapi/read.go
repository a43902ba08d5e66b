package httpapi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/cpush/cpush/jobs"
)

// MediaNDJSON is the media type of the failed-target listing: one JSON
// object a line.
const MediaNDJSON = "application/x-ndjson"

// status answers a job's progress: jobs.Status, a superset of the
// jobs.Summary that `cpush status --json` prints.
func (s *Server) status(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	st, err := s.client.Status(r.Context(), id)
	if err != nil {
		return err
	}
	if !who(r).sees(st.Owner) {
		return notYours(id)
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// list answers a page of the recent jobs, newest first.
func (s *Server) list(w http.ResponseWriter, r *http.Request) error {
	q, err := parseQuery(r)
	if err != nil {
		return err
	}
	limit, err := queryLimit(q)
	if err != nil {
		return err
	}
	cursor, err := queryValue(q, "cursor")
	if err != nil {
		return err
	}
	var page jobs.Page
	if p := who(r); p.admin {
		page, err = s.client.List(r.Context(), cursor, limit)
	} else {
		page, err = s.client.ListOwned(r.Context(), p.owner, cursor, limit)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// parseQuery parses r's query, refusing a pair that does not parse, which
// r.URL.Query would drop silently: a cursor so dropped would list the
// first page again.
func parseQuery(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		name := badQueryParam(r.URL.RawQuery)
		return nil, apiErr(CodeInvalidField, name, "%s: the query does not parse: %s", name, err.Error())
	}
	return q, nil
}

// badQueryParam names the parameter of raw's first pair that does not
// parse.
func badQueryParam(raw string) string {
	for _, pair := range strings.Split(raw, "&") {
		key, value, _ := strings.Cut(pair, "=")
		name, kerr := url.QueryUnescape(key)
		_, verr := url.QueryUnescape(value)
		if kerr != nil {
			name = key
		}
		if kerr != nil || verr != nil || strings.Contains(pair, ";") {
			return name
		}
	}
	return ""
}

// queryValue reads parameter name of q, "" when absent; given twice, it
// is refused, as the two may not mean one page.
func queryValue(q url.Values, name string) (string, error) {
	if v := q[name]; len(v) > 1 {
		return "", apiErr(CodeInvalidField, name, "%s: given %d times; give it once", name, len(v))
	}
	return q.Get(name), nil
}

// queryLimit reads the limit parameter: 1 to jobs.MaxListLimit, 0 when
// absent.
func queryLimit(q url.Values) (int, error) {
	v, err := queryValue(q, "limit")
	if v == "" || err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > jobs.MaxListLimit {
		return 0, apiErr(CodeInvalidField, "limit",
			"limit: must be an integer from 1 to %d, not %q", jobs.MaxListLimit, v)
	}
	return n, nil
}

// cancel asks for a job's cancellation and answers its status.
func (s *Server) cancel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.checkOwner(r, id); err != nil {
		return err
	}
	if err := s.client.Cancel(r.Context(), id); err != nil {
		return err
	}
	s.opts.Logger.Info("job cancel asked over HTTP", zap.String("job_id", id))
	st, err := s.client.Status(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, st)
	return nil
}

// failed streams a job's failed targets as NDJSON. An error after the
// first line aborts the connection, so that a client never takes a cut
// listing for a whole one.
func (s *Server) failed(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.checkOwner(r, id); err != nil {
		return err
	}
	writeDeadline(w, s.opts.Timeouts.Export)
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	started := false
	err = s.client.Failed(r.Context(), id, func(f jobs.FailedTarget) error {
		if !started {
			started = true
			setNDJSON(w)
		}
		return enc.Encode(f)
	})
	if err != nil && started {
		s.opts.Logger.Warn("failed-target listing cut", zap.String("job_id", id), zap.Error(err))
		panic(http.ErrAbortHandler)
	}
	if err != nil {
		return err
	}
	if !started {
		setNDJSON(w)
	}
	return bw.Flush()
}

func setNDJSON(w http.ResponseWriter) {
	w.Header().Set("Content-Type", MediaNDJSON)
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// checkOwner returns nil when r's principal may act on job id; a job of
// another producer is not found, as if it did not exist.
func (s *Server) checkOwner(r *http.Request, id string) error {
	p := who(r)
	if p.admin {
		return nil
	}
	owner, err := s.client.Owner(r.Context(), id)
	if err != nil {
		return err
	}
	if !p.sees(owner) {
		return notYours(id)
	}
	return nil
}

// notYours is the answer about another producer's job: the one about a
// job that does not exist.
func notYours(id string) error {
	return fmt.Errorf("reading job %s: %w", id, jobs.ErrJobNotFound)
}

// pathID returns the {id} of r's path, checked as a job ID is when a job
// is created: nothing else reaches a Redis key.
func pathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	return id, jobs.ValidateID(id)
}
