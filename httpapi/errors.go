package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cpush/cpush/jobs"
)

// Error codes of the API: a contract, listed in docs/openapi.yaml. Each
// goes with one HTTP status.
const (
	CodeInvalidJSON          = "invalid_json"           // 400: the body is not the JSON it should be
	CodeInvalidField         = "invalid_field"          // 400: a field breaks a rule; "field" names it
	CodeUnauthorized         = "unauthorized"           // 401: no valid token
	CodeForbidden            = "forbidden"              // 403: a cross-site request, or no tokens are configured and the client is not local
	CodeNotFound             = "not_found"              // 404: no such job (or it expired), or no such path
	CodeMethodNotAllowed     = "method_not_allowed"     // 405
	CodeRequestTimeout       = "request_timeout"        // 408: the body did not come in time
	CodeDuplicateJob         = "duplicate_job"          // 409: a job with this id exists
	CodeJobFinished          = "job_finished"           // 409: the job has ended and cannot be cancelled
	CodeBodyTooLarge         = "body_too_large"         // 413: over a body, line or target limit
	CodeUnsupportedMediaType = "unsupported_media_type" // 415: neither application/json nor text/plain
	CodeTooManyRequests      = "too_many_requests"      // 429: too many failed logins, or uploads at once; see Retry-After
	CodeInternal             = "internal"               // 500: see the server's log
	CodeUnavailable          = "unavailable"            // 503: Redis does not answer; see Retry-After
)

// CodeStatus is the HTTP status of each error code.
var CodeStatus = map[string]int{
	CodeInvalidJSON:          http.StatusBadRequest,
	CodeInvalidField:         http.StatusBadRequest,
	CodeUnauthorized:         http.StatusUnauthorized,
	CodeForbidden:            http.StatusForbidden,
	CodeNotFound:             http.StatusNotFound,
	CodeMethodNotAllowed:     http.StatusMethodNotAllowed,
	CodeRequestTimeout:       http.StatusRequestTimeout,
	CodeDuplicateJob:         http.StatusConflict,
	CodeJobFinished:          http.StatusConflict,
	CodeBodyTooLarge:         http.StatusRequestEntityTooLarge,
	CodeUnsupportedMediaType: http.StatusUnsupportedMediaType,
	CodeTooManyRequests:      http.StatusTooManyRequests,
	CodeInternal:             http.StatusInternalServerError,
	CodeUnavailable:          http.StatusServiceUnavailable,
}

// Error is an API error as its JSON body gives it:
// {"error":{"code":"invalid_field","field":"targets[3]","message":"..."}}.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// apiErr returns the error of code, with the status that goes with it.
func apiErr(code, field, format string, args ...any) *Error {
	return &Error{Status: CodeStatus[code], Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// writeError writes e as the JSON error body.
func writeError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.Status, struct {
		Error *Error `json:"error"`
	}{e})
}

// writeJSON writes v as the JSON body of a response with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// asAPIError maps the errors of package jobs and of decoding a request to
// an *Error; any other error is internal, and ok is false.
func asAPIError(err error) (e *Error, ok bool) {
	var fe *jobs.FieldError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &e):
		return e, true
	case errors.As(err, &fe):
		return apiErr(CodeInvalidField, fe.Field, "%s", fe.Error()), true
	case errors.As(err, &mbe):
		return apiErr(CodeBodyTooLarge, "", "the body is larger than %d bytes", mbe.Limit), true
	case isTimeout(err):
		return apiErr(CodeRequestTimeout, "", "the body did not come in time; nothing was staged"), true
	case errors.Is(err, jobs.ErrDuplicateJob):
		return apiErr(CodeDuplicateJob, "id", "%s", err.Error()), true
	case errors.Is(err, jobs.ErrJobNotFound):
		return apiErr(CodeNotFound, "", "%s", err.Error()), true
	case errors.Is(err, jobs.ErrJobFinished):
		return apiErr(CodeJobFinished, "", "%s", err.Error()), true
	case errors.Is(err, jobs.ErrBadCursor):
		return apiErr(CodeInvalidField, "cursor", "%s", err.Error()), true
	}
	return nil, false
}

// decodeError maps an error of decoding raw (nil if unread) into a job;
// what names raw.
func decodeError(err error, what string, raw []byte) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case isTimeout(err):
		return err
	case errors.As(err, &pe):
		field := badTimeField(raw)
		return apiErr(CodeInvalidField, field, "%s: must be an RFC 3339 time such as 2026-11-28T09:00:00+08:00, not %s", field, pe.Value)
	case errors.As(err, &te) && te.Field != "":
		return apiErr(CodeInvalidField, te.Field, "%s: must be a JSON %s, not %s", te.Field, jsonType(te), te.Value)
	case errors.As(err, &se), errors.As(err, &te), errors.Is(err, io.ErrUnexpectedEOF):
		return apiErr(CodeInvalidJSON, "", "%s is not valid JSON: %s", what, err.Error())
	case errors.Is(err, io.EOF):
		return apiErr(CodeInvalidJSON, "", "%s is empty: a JSON object is required", what)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return apiErr(CodeInvalidField, name, "%s: unknown field (names are snake_case, see docs/openapi.yaml)", name)
	}
	if _, ok := asAPIError(err); ok {
		return err
	}
	return apiErr(CodeInvalidJSON, "", "%s is not a valid job: %s", what, err.Error())
}

func jsonType(te *json.UnmarshalTypeError) string {
	switch te.Type.Kind().String() {
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "number"
	case "slice":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	case "bool":
		return "boolean"
	}
	return te.Type.Kind().String()
}

// badTimeField names the time field of a job in raw that does not parse.
func badTimeField(raw []byte) string {
	var j struct {
		StartAt          json.RawMessage `json:"start_at"`
		MessageCreatedAt json.RawMessage `json:"message_created_at"`
		Message          struct {
			ExpireTime json.RawMessage `json:"expire_time"`
		} `json:"message"`
	}
	_ = json.Unmarshal(raw, &j)
	for _, f := range []struct {
		name string
		v    json.RawMessage
	}{{"start_at", j.StartAt}, {"message_created_at", j.MessageCreatedAt}, {"message.expire_time", j.Message.ExpireTime}} {
		var t time.Time
		if len(f.v) > 0 && t.UnmarshalJSON(f.v) != nil {
			return f.name
		}
	}
	return ""
}
