package push

import "strings"

// rolloverCodes are refusals that mean the MessageId can take no more
// pushes. The service documents the conditions (expired, over the total
// limit) without codes; these are the simulator's codes for them.
var rolloverCodes = map[string]bool{
	CodeMessageNotFound:      true,
	CodeMessageExpired:       true,
	CodeMessageCompleted:     true,
	CodeMessageLimitExceeded: true,
}

// transientCodes are codes that a later identical call may not get.
var transientCodes = map[string]bool{
	CodeServiceUnavailable: true,
	CodeInternalError:      true,
	CodeSignatureNonceUsed: true, // the retry signs with a fresh nonce
	"Timeout":              true,
	"ServiceTimeout":       true,
	"RequestTimeout":       true,
}

// ClassifyCode returns the retry class of an answer with the given code and
// HTTP status, following DESIGN.md's table: Throttling* waits; the message
// refusals roll over; server errors and the known transient codes retry
// with backoff; any other 4xx (InvalidParameter*, Missing*, signature,
// AccessKey, Forbidden*, PermissionDenied, ...) is permanent.
func ClassifyCode(code string, status int) Class {
	switch {
	case strings.HasPrefix(code, CodeThrottling):
		return ClassWait
	case rolloverCodes[code]:
		return ClassRollover
	case transientCodes[code], status >= 500, status == 0, status == 429:
		return ClassTransient
	default:
		return ClassPermanent
	}
}

// AmbiguousCode reports whether an answer with this code and status may
// come after the service carried the call out: an internal error or a
// gateway timeout says nothing about what happened behind it.
func AmbiguousCode(code string, status int) bool {
	switch {
	case code == CodeServiceUnavailable, strings.HasPrefix(code, CodeThrottling):
		return false // refused before any work
	case code == CodeInternalError, status == 500, status == 502, status == 504:
		return true
	default:
		return false
	}
}
