package pushsim

import "time"

// Actions the simulator has. They are the API's own names.
const (
	ActionPush                     = "Push"
	ActionContinuouslyPush         = "ContinuouslyPush"
	ActionCompleteContinuouslyPush = "CompleteContinuouslyPush"
	ActionQueryPushStatByMsg       = "QueryPushStatByMsg"
)

// Target types (PagePush: Target).
const (
	TargetDevice  = "DEVICE"
	TargetAccount = "ACCOUNT"
	TargetAlias   = "ALIAS"
	TargetTag     = "TAG"
	TargetAll     = "ALL"
	// TargetTBD stores a message for ContinuouslyPush; its TargetValue is
	// "TBD" too.
	TargetTBD = "TBD"
)

// MaxTargetsPerCall is the most TargetValue values of one DEVICE, ACCOUNT
// or ALIAS call, for Push and ContinuouslyPush alike (PagePush: "up to
// 1000" for each of the three; PageContinuouslyPush: "up to 1,000
// supported"). Older pages said 100 for ACCOUNT; the current ones say 1000.
const MaxTargetsPerCall = 1000

// Limit units (Config.LimitUnit): what counts against a MessageId's total.
const (
	// UnitTargets counts one push per target value (the default).
	UnitTargets = "targets"
	// UnitCalls counts one push per ContinuouslyPush call.
	UnitCalls = "calls"
)

// Documented error codes. Each names the page that gives it and its HTTP
// status.
const (
	// CodeThrottlingUser (400): a main account over its quota (PageErrors).
	CodeThrottlingUser = "Throttling.User"
	// CodeThrottlingAPI (400): an API over its flow control (PageErrors).
	CodeThrottlingAPI = "Throttling.Api"
	// CodeSignatureDoesNotMatch (400) (PageErrors).
	CodeSignatureDoesNotMatch = "SignatureDoesNotMatch"
	// CodeSignatureNonceUsed (400) (PageErrors).
	CodeSignatureNonceUsed = "SignatureNonceUsed"
	// CodeInvalidTimeStampExpired (400): over 15 minutes from the server's
	// clock (PageErrors).
	CodeInvalidTimeStampExpired = "InvalidTimeStamp.Expired"
	// CodeInvalidTimeStampFormat (400): not ISO 8601 (PageErrors).
	CodeInvalidTimeStampFormat = "InvalidTimeStamp.Format"
	// CodeInvalidAccessKeyIDNotFound (400 on PageErrors; the common table
	// says 404, the product page wins).
	CodeInvalidAccessKeyIDNotFound = "InvalidAccessKeyId.NotFound"
	// CodeInvalidAccessKeyIDInactive (400): a disabled AccessKey
	// (PageCommonErrors).
	CodeInvalidAccessKeyIDInactive = "InvalidAccessKeyId.Inactive"
	// CodeInvalidAPINotFound (404): an Action (or Version) the product does
	// not have (PageErrors).
	CodeInvalidAPINotFound = "InvalidApi.NotFound"
	// CodeInvalidSignatureMethod (400) (PageCommonErrors).
	CodeInvalidSignatureMethod = "InvalidSignatureMethod"
	// CodeIncompleteSignature (400): a SignatureVersion other than 1.0
	// (PageClientErrors).
	CodeIncompleteSignature = "IncompleteSignature"
	// CodeInvalidParameterFormat (400): a Format other than JSON
	// (PageCommonErrors: "only XML/JSON"; the simulator answers JSON only).
	CodeInvalidParameterFormat = "InvalidParameter.Format"
	// CodeInvalidParameter (400): a request the gateway cannot read
	// (PageCommonErrors).
	CodeInvalidParameter = "InvalidParameter"
	// CodeMissingSecurityToken (400): an STS AccessKey without its token
	// (PageCommonErrors).
	CodeMissingSecurityToken = "MissingSecurityToken"
	// CodeInvalidSecurityTokenExpired (400) (PageCommonErrors).
	CodeInvalidSecurityTokenExpired = "InvalidSecurityToken.Expired"
	// CodeInvalidSecurityTokenMalformed (400) (PageCommonErrors).
	CodeInvalidSecurityTokenMalformed = "InvalidSecurityToken.Malformed"
	// CodeInvalidSecurityTokenMismatch (400): another AccessKey's token
	// (PageCommonErrors).
	CodeInvalidSecurityTokenMismatch = "InvalidSecurityToken.MismatchWithAccessKey"
	// CodeForbidden (403) (PageErrors).
	CodeForbidden = "Forbidden"
	// CodeForbiddenRAM (403): a RAM policy denies the action
	// (PageClientErrors).
	CodeForbiddenRAM = "Forbidden.RAM"
	// CodePermissionDenied (400): the AppKey is not the AccessKey's
	// (PagePushV2).
	CodePermissionDenied = "PermissionDenied"
	// CodeInternalError (500) (PageCommonErrors).
	CodeInternalError = "InternalError"
	// CodeServiceUnavailable (503) (PageCommonErrors).
	CodeServiceUnavailable = "ServiceUnavailable"
	// CodeMissingPrefix prefixes the parameter name in the code (400) that
	// answers a missing required parameter, as in "MissingAppKey"
	// (PageErrors: Missing{ParameterName}).
	CodeMissingPrefix = "Missing"
	// CodeInvalidPrefix prefixes the parameter name in the code (400) that
	// answers a value the parameter does not take, as in "InvalidTitle"
	// (PageCommonErrors: Invalid{ParameterName}); with CodeFormatSuffix it
	// answers a value of the wrong form, as in "InvalidExpireTime.Format"
	// (PagePushV2: Invalid%s.Format).
	CodeInvalidPrefix = "Invalid"
	// CodeFormatSuffix: see CodeInvalidPrefix.
	CodeFormatSuffix = ".Format"
)

// Codes of answers the documentation does not give: conditions the
// simulator does not model or a gateway limit the pages are silent on.
const (
	// CodeTargetNotModeled (400) answers Push with Target TAG or ALL: the
	// simulator has no devices, tags or apps to resolve them against.
	CodeTargetNotModeled = "Simulator.TargetNotModeled"
	// CodeURITooLong (414) answers a request URI over Config.MaxURLBytes.
	CodeURITooLong = "Simulator.URITooLong"
)

// Keys of Stats.Calls[action] that are not error codes.
const (
	// StatOK counts successful calls.
	StatOK = "OK"
	// StatDropped counts calls whose connection was closed with no answer
	// (an ambiguous fault in AmbiguousDrop mode; the call delivered).
	StatDropped = "ConnectionDropped"
)

// The API's fixed parameters.
const (
	// APIVersion is the only Version the simulator accepts.
	APIVersion = "2016-08-01"
	// SignatureMethod is the only SignatureMethod it accepts.
	SignatureMethod = "HMAC-SHA1"
	// SignatureVersion is the only SignatureVersion it accepts.
	SignatureVersion = "1.0"
	// TimestampLayout is the layout of the Timestamp parameter and of
	// Push's ExpireTime and PushTime (ISO 8601 UTC, YYYY-MM-DDThh:mm:ssZ).
	TimestampLayout = "2006-01-02T15:04:05Z"
	// MaxClockSkew is how far a Timestamp may be from the server's clock
	// (PageErrors: InvalidTimeStamp.Expired, "more than 15 minutes").
	MaxClockSkew = 15 * time.Minute
	// NonceWindow is how long a SignatureNonce may not be used again. Docs
	// silent on the window; strict reading: as long as a Timestamp is
	// valid, 15 minutes either side.
	NonceWindow = 15 * time.Minute
)
