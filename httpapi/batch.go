package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"

	"go.uber.org/zap"

	"github.com/cpush/cpush/jobs"
)

// Limits of POST /v1/jobs:batch.
const (
	// MaxBatchJobs is the most jobs of one batch.
	MaxBatchJobs = jobs.MaxBatchJobs
	// MaxBatchJobTargets is the most targets of one job of a batch: a batch
	// is for small jobs; larger ones go alone to POST /v1/jobs.
	MaxBatchJobTargets = 1000
	// DefaultMaxBatchBytes is the largest batch body.
	DefaultMaxBatchBytes = 16 << 20
)

// BatchResult is one job's result in the answer to POST /v1/jobs:batch:
// its ID and plan, or why it was refused.
type BatchResult struct {
	ID    string     `json:"id,omitempty"`
	Plan  *jobs.Plan `json:"plan,omitempty"`
	Error *Error     `json:"error,omitempty"`
}

// BatchCreated is the answer to POST /v1/jobs:batch: one result per job,
// in the order of the request, and how many were accepted and refused.
type BatchCreated struct {
	Accepted int           `json:"accepted"`
	Refused  int           `json:"refused"`
	Results  []BatchResult `json:"results"`
}

// batchRequest is the body of POST /v1/jobs:batch. Each job is kept raw,
// to be decoded on its own: a job that does not decode is refused alone.
type batchRequest struct {
	Jobs []json.RawMessage `json:"jobs"`
}

// createBatch enqueues up to MaxBatchJobs small jobs, each validated on
// its own (jobs.Client.EnqueueMany), and answers one result per job.
func (s *Server) createBatch(w http.ResponseWriter, r *http.Request) error {
	watchBody(r)
	if media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); media != MediaJSON {
		return apiErr(CodeUnsupportedMediaType, "", "Content-Type must be %s, not %q", MediaJSON, r.Header.Get("Content-Type"))
	}
	raws, err := s.readBatch(w, r)
	if err != nil {
		return err
	}
	results := make([]BatchResult, len(raws))
	var batch []jobs.Job
	var index []int // batch[k] is the job of raws[index[k]]
	for i, raw := range raws {
		job, err := s.decodeBatchJob(raw)
		if err != nil {
			results[i] = s.batchError(r, err)
			continue
		}
		batch, index = append(batch, job), append(index, i)
	}
	enqueued, err := s.client.EnqueueMany(r.Context(), batch)
	if err != nil {
		return err
	}
	for k, res := range enqueued {
		if res.Err != nil {
			results[index[k]] = s.batchError(r, res.Err)
			continue
		}
		results[index[k]] = BatchResult{ID: res.Plan.ID, Plan: &res.Plan}
	}
	answer := BatchCreated{Results: results}
	for _, res := range results {
		if res.Error == nil {
			answer.Accepted++
		} else {
			answer.Refused++
		}
	}
	s.opts.Logger.Info("jobs enqueued over HTTP in a batch", zap.Int("accepted", answer.Accepted), zap.Int("refused", answer.Refused))
	writeJSON(w, http.StatusOK, answer)
	return nil
}

// readBatch reads the body of a batch: an object with 1 to MaxBatchJobs
// jobs and nothing else.
func (s *Server) readBatch(w http.ResponseWriter, r *http.Request) ([]json.RawMessage, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBatchBytes))
	if err != nil {
		return nil, decodeError(err, "the body", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var req batchRequest
	if err := dec.Decode(&req); err != nil {
		return nil, decodeError(err, "the body", nil)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, apiErr(CodeInvalidJSON, "", "the body holds more than one JSON value")
	}
	switch n := len(req.Jobs); {
	case n == 0:
		return nil, apiErr(CodeInvalidField, "jobs", "jobs: at least one job is required")
	case n > MaxBatchJobs:
		return nil, apiErr(CodeBodyTooLarge, "jobs", "jobs: %d in one batch, at most %d", n, MaxBatchJobs)
	}
	return req.Jobs, nil
}

// decodeBatchJob decodes and checks one job of a batch.
func (s *Server) decodeBatchJob(raw json.RawMessage) (jobs.Job, error) {
	job, err := decodeJob(raw, "the job")
	if err != nil {
		return job, err
	}
	if n := len(job.Targets); n > MaxBatchJobTargets {
		return job, apiErr(CodeBodyTooLarge, "targets",
			"targets: %d in a batch job, at most %d: send larger jobs alone to POST /v1/jobs", n, MaxBatchJobTargets)
	}
	return job, s.checkWebhook(&job)
}

// batchError is the result of a refused job; an error that is not the
// job's is logged and given as internal.
func (s *Server) batchError(r *http.Request, err error) BatchResult {
	e, ok := asAPIError(err)
	if !ok && redisDown(err) {
		e, ok = unavailable(), true
	}
	if !ok {
		s.opts.Logger.Error("HTTP API batch job failed", zap.String("path", r.URL.Path), zap.Error(err))
		e = apiErr(CodeInternal, "", "internal error; the server's log has the details")
	}
	return BatchResult{Error: e}
}
