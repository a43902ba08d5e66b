package push

import "strings"

// The codes below come from these help.aliyun.com pages:
//
//   - 48054 (English 434846), Mobile Push's OpenAPI error code table: the
//     gateway's InvalidProduct.NotFound, InvalidApi.NotFound,
//     InvalidProtocol.NeedSsl (404); Missing{ParameterName},
//     InvalidAccessKeyId.NotFound, InvalidTimeStamp.Format,
//     InvalidTimeStamp.Expired, SignatureNonceUsed,
//     SignatureDoesNotMatch, Throttling.User, Throttling.Api and
//     InternalError (400); Forbidden (403); and the server error
//     ServiceUnavailable (403). Classes go by code, not status: the page
//     gives InternalError 400 and ServiceUnavailable 403.
//   - 2249916, the Push API's error codes: Invalid%s.Format,
//     Invalid%s.Empty, Invalid.Parameter (400), Timeout and InternalError
//     (500).
//   - 58681: LimitExceed (400), an ExpireTime not 3 s after now.
//   - The gateway's common client codes of Alibaba Cloud RPC APIs (e.g.
//     51132): MissingParameter, InvalidParameter, IncompleteSignature,
//     IllegalTimestamp, Throttling (400), InvalidAction,
//     ActionUnauthorized, Forbidden.RAM, Forbidden.RiskControl (403).

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
	CodeServiceUnavailable: true, // 48054: "a temporary failure of the server"
	CodeInternalError:      true, // 48054, 2249916
	CodeTimeout:            true, // 2249916: "The request processing is timeout"
	CodeSignatureNonceUsed: true, // 48054; the retry signs with a fresh nonce
	// An STS token that expired: the credential provider refreshes it (an
	// instance role does; a static token does not), so the chunk is not at
	// fault. No page found documents this code for the RPC gateway.
	CodeSecurityTokenExpired: true,
	"ServiceTimeout":         true,
	"RequestTimeout":         true,
}

// ClassifyCode returns the retry class of an answer with the given code and
// HTTP status: Throttling* waits; InvalidTimeStamp.Expired is this
// machine's clock; the message refusals roll over; the transient codes,
// server errors and no answer retry with backoff; any other code
// (Invalid*, Missing*, signature, AccessKey, Forbidden*, PermissionDenied,
// LimitExceed, ...) is permanent.
func ClassifyCode(code string, status int) Class {
	switch {
	case strings.HasPrefix(code, CodeThrottling):
		return ClassWait
	case code == CodeInvalidTimeStamp:
		return ClassClock
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
// timeout says nothing about what happened behind it.
func AmbiguousCode(code string, status int) bool {
	switch {
	case code == CodeServiceUnavailable, strings.HasPrefix(code, CodeThrottling), code == CodeInvalidTimeStamp:
		return false // refused before any work
	case code == CodeInternalError, code == CodeTimeout, status == 500, status == 502, status == 504:
		return true
	default:
		return false
	}
}
