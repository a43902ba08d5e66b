package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"reflect"
	"time"

	"go.uber.org/zap"

	"github.com/cpush/cpush/jobs"
)

// Created is the answer to POST /v1/jobs: the new job's ID and plan.
type Created struct {
	ID   string    `json:"id"`
	Plan jobs.Plan `json:"plan"`
}

// Media types of POST /v1/jobs.
const (
	// MediaJSON is a job with its targets inline.
	MediaJSON = "application/json"
	// MediaStream is a streamed upload: a first line with the job as JSON
	// without targets, then one target per line.
	MediaStream = "text/plain"
)

// create enqueues a job: a JSON job, or a streamed upload.
func (s *Server) create(w http.ResponseWriter, r *http.Request) error {
	watchBody(r)
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var plan jobs.Plan
	var err error
	switch media {
	case MediaJSON:
		plan, err = s.createJSON(w, r)
	case MediaStream:
		plan, err = s.createStream(w, r)
	default:
		return apiErr(CodeUnsupportedMediaType, "",
			"Content-Type must be %s (a job with its targets) or %s (a streamed upload: the job as JSON on the first line, then one target per line), not %q",
			MediaJSON, MediaStream, r.Header.Get("Content-Type"))
	}
	writeDeadline(w, s.opts.Timeouts.Write) // an upload took its time to read
	if err != nil {
		return err
	}
	s.opts.Logger.Info("job enqueued over HTTP", zap.String("job_id", plan.ID), zap.Int("targets", plan.Total),
		zap.Int("unique", plan.Unique), zap.String("upload", media))
	w.Header().Set("Location", "/v1/jobs/"+plan.ID)
	writeJSON(w, http.StatusAccepted, Created{ID: plan.ID, Plan: plan})
	return nil
}

func (s *Server) createJSON(w http.ResponseWriter, r *http.Request) (jobs.Plan, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxJSONBytes))
	if err != nil {
		return jobs.Plan{}, decodeError(err, "the body", nil)
	}
	job, err := decodeJob(raw, "the body")
	if err != nil {
		return jobs.Plan{}, err
	}
	job.Owner = who(r).owner
	if n := len(job.Targets); n > s.opts.MaxInlineTargets {
		return jobs.Plan{}, apiErr(CodeBodyTooLarge, "targets",
			"targets: %d inline, at most %d: send larger sets as a streamed upload (Content-Type: %s)", n, s.opts.MaxInlineTargets, MediaStream)
	}
	if err := s.checkWebhook(&job); err != nil {
		return jobs.Plan{}, err
	}
	return s.client.Enqueue(r.Context(), job)
}

// decodeJob decodes raw, one JSON job and nothing more, refusing unknown
// fields, keys given twice and keys in another case (checkKeys); what
// names raw in errors.
func decodeJob(raw []byte, what string) (jobs.Job, error) {
	if err := checkKeys(raw, reflect.TypeFor[jobs.Job]()); err != nil {
		return jobs.Job{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var job jobs.Job
	if err := dec.Decode(&job); err != nil {
		return job, decodeError(err, what, raw)
	}
	if _, err := dec.Token(); err != io.EOF {
		return job, apiErr(CodeInvalidJSON, "", "%s holds more than one JSON value", what)
	}
	return job, nil
}

// checkWebhook refuses a webhook_url that no worker could sign.
func (s *Server) checkWebhook(job *jobs.Job) error {
	if job.WebhookURL != "" && !s.opts.Webhooks {
		return apiErr(CodeInvalidField, "webhook_url",
			"webhook_url: webhooks are off: this server has no webhook secret (CPUSH_WEBHOOK_SECRET)")
	}
	return nil
}

// uploadRetryAfter is the wait an upload past MaxUploads is told.
const uploadRetryAfter = 10 * time.Second

// createStream enqueues a streamed upload, staging the targets as they
// arrive (jobs.Client.EnqueueSeq), unless MaxUploads are in progress.
func (s *Server) createStream(w http.ResponseWriter, r *http.Request) (jobs.Plan, error) {
	select {
	case s.uploads <- struct{}{}:
		defer func() { <-s.uploads }()
	default:
		retryAfter(w, uploadRetryAfter)
		return jobs.Plan{}, apiErr(CodeTooManyRequests, "",
			"%d streamed uploads are in progress, the most this server takes at once (CPUSH_MAX_UPLOADS): try again later", s.opts.MaxUploads)
	}
	body := newIdleReader(w, http.MaxBytesReader(w, r.Body, s.opts.maxStreamBytes()), s.opts.Timeouts)
	br := bufio.NewReaderSize(body, MaxLineBytes)
	job, err := readHeader(br)
	if err != nil {
		return jobs.Plan{}, err
	}
	job.Owner = who(r).owner
	if err := s.checkWebhook(&job); err != nil {
		return jobs.Plan{}, err
	}
	return s.client.EnqueueSeq(r.Context(), job, targetLines(br, s.opts.MaxStreamTargets))
}

// readHeader reads the first line of a streamed upload: the job as JSON.
func readHeader(br *bufio.Reader) (jobs.Job, error) {
	line, err := br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return jobs.Job{}, apiErr(CodeBodyTooLarge, "",
			"the first line (the job) is longer than %d bytes", MaxLineBytes)
	case err != nil && err != io.EOF:
		return jobs.Job{}, decodeError(err, "the first line", nil)
	}
	job, err := decodeJob(line, "the first line")
	if err != nil {
		return job, err
	}
	if job.Targets != nil {
		return job, apiErr(CodeInvalidField, "targets",
			"targets: a streamed upload gives them one per line after the first, not in it")
	}
	return job, nil
}
