package pushsim

import (
	"fmt"
	"net/http"

	"github.com/cpush/cpush/push"
)

// outcome is how the simulator answers one RPC call.
type outcome struct {
	status    int    // HTTP status
	code      string // "" on success
	msg       string
	messageID string // the MessageId of a successful answer
	drop      bool   // close the connection with no answer
	violation bool   // a refusal a correct client never causes
	values    int    // TargetValue values of a ContinuouslyPush call, else 0
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

// invalid is a 400 InvalidParameter answer.
func invalid(format string, args ...any) outcome {
	return fail(http.StatusBadRequest, push.CodeInvalidParameter, format, args...)
}

// missing is the 400 Missing<name> answer.
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
	throttled = fail(http.StatusBadRequest, push.CodeThrottlingUser,
		"Request was denied due to user flow control.")
	unavailable = fail(http.StatusServiceUnavailable, push.CodeServiceUnavailable,
		"The request has failed due to a temporary failure of the server.")
	internalError = fail(http.StatusInternalServerError, push.CodeInternalError,
		"The request processing has failed due to some unknown error, exception or failure.")
)
