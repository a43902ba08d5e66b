package pushsim

import (
	"fmt"
	"net/http"
)

// outcome is how the simulator answers one RPC call.
type outcome struct {
	status    int    // HTTP status
	code      string // "" on success
	msg       string
	messageID string                        // the MessageId of a successful answer
	payload   func(requestID string) []byte // a success body other than {MessageId, RequestId}
	drop      bool                          // close the connection with no answer
	violation bool                          // a refusal a correct client never causes
	values    int                           // TargetValue values of a call that got as far as reading them, else 0
}

// statKey is the key of the outcome in Stats.Calls[action].
func (o outcome) statKey() string {
	switch {
	case o.drop:
		return StatDropped
	case o.code == "":
		return StatOK
	default:
		return o.code
	}
}

// success is a 200 answer carrying messageID.
func success(messageID string) outcome {
	return outcome{status: http.StatusOK, messageID: messageID}
}

// fail is an error answer.
func fail(status int, code, format string, args ...any) outcome {
	return outcome{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// failAs is an error answer with a configured Answer.
func failAs(a Answer, format string, args ...any) outcome {
	return fail(a.Status, a.Code, format, args...)
}

// invalidParam is the 400 Invalid{name} answer to a value name does not
// take (PageCommonErrors: Invalid{ParameterName}, "Specified parameter
// {ParameterName} is not valid.").
func invalidParam(name, format string, args ...any) outcome {
	return fail(http.StatusBadRequest, CodeInvalidPrefix+name,
		"Specified parameter %s is not valid: %s", name, fmt.Sprintf(format, args...))
}

// badFormat is the 400 Invalid{name}.Format answer to a value of the wrong
// form (PagePushV2: Invalid%s.Format, "The specified %s format is
// invalid.").
func badFormat(name, format string, args ...any) outcome {
	return fail(http.StatusBadRequest, CodeInvalidPrefix+name+CodeFormatSuffix,
		"The specified %s format is invalid: %s", name, fmt.Sprintf(format, args...))
}

// missing is the 400 Missing{name} answer (PageErrors: Missing{ParameterName},
// "{ParameterName} is mandatory for this action.").
func missing(name string) outcome {
	return fail(http.StatusBadRequest, CodeMissingPrefix+name, "%s is mandatory for this action.", name)
}

// violating marks o as a refusal a correct client never causes.
func violating(o outcome) outcome {
	o.violation = true
	return o
}

// Answers of the service's own faults and quotas.
var (
	// throttled: PageErrors, Throttling.User 400 "Request was denied due
	// to user flow control."
	throttled = fail(http.StatusBadRequest, CodeThrottlingUser,
		"Request was denied due to user flow control.")
	// throttledAPI: PageErrors, Throttling.Api 400 "Request was denied due
	// to api flow control."
	throttledAPI = fail(http.StatusBadRequest, CodeThrottlingAPI,
		"Request was denied due to api flow control.")
	// unavailable: PageCommonErrors, ServiceUnavailable 503. (PageErrors'
	// older table gave 403; the gateway's common table and every product
	// page that repeats it give 503.)
	unavailable = fail(http.StatusServiceUnavailable, CodeServiceUnavailable,
		"The request has failed due to a temporary failure of the server.")
	// internalError: PageCommonErrors, InternalError 500. (PageErrors' older
	// table gave 400; see unavailable.)
	internalError = fail(http.StatusInternalServerError, CodeInternalError,
		"The request processing has failed due to some unknown error, exception or failure.")
)

// throttledAs returns the throttling answer of code.
func throttledAs(code string) outcome {
	if code == CodeThrottlingAPI {
		return throttledAPI
	}
	return throttled
}
