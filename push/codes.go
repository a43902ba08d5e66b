package push

// Actions of the push service that cpush calls. They are the API's own names.
const (
	ActionPush                     = "Push"
	ActionContinuouslyPush         = "ContinuouslyPush"
	ActionCompleteContinuouslyPush = "CompleteContinuouslyPush"
	ActionQueryPushStatByMsg       = "QueryPushStatByMsg"
)

// Target types. ContinuouslyPush takes only DEVICE, ACCOUNT and ALIAS;
// TargetTBD is used with Push to store a message for continuous pushing.
const (
	TargetDevice  = "DEVICE"
	TargetAccount = "ACCOUNT"
	TargetAlias   = "ALIAS"
	TargetTBD     = "TBD"
)

// MaxTargetsPerCall is the most values one ContinuouslyPush call takes.
const MaxTargetsPerCall = 1000

// MaxPushTargets is the most TargetValue values of one Push call per
// target type. The Push page (help.aliyun.com document 2249916, "Push",
// TargetValue) allows "up to 1000" for each of DEVICE, ACCOUNT and ALIAS
// (older versions said 100 for ACCOUNT), and the ContinuouslyPush page
// (2249917) restates it for Push: "按设备推、按账号推、按别名推,单次推送
// 目标个数上限是 1000". A job whose unique targets fit one Push call of its
// type may be sent with that one call (the direct path).
var MaxPushTargets = map[string]int{
	TargetDevice:  1000,
	TargetAccount: 1000,
	TargetAlias:   1000,
}

// Error codes the service answers with. The first group is the service's
// own (documented by Alibaba Cloud: see classify.go for the pages); the
// second group names the refusals the documentation describes without
// giving a code ("pushes are not allowed after expiration or after
// reaching the total push limit"). cpush's simulator answers with these,
// and the adapter classifies the real service's codes for the same
// conditions beside them (see classify.go).
const (
	CodeThrottlingUser        = "Throttling.User"
	CodeThrottlingAPI         = "Throttling.Api"
	CodeThrottling            = "Throttling"
	CodeServiceUnavailable    = "ServiceUnavailable"
	CodeInternalError         = "InternalError"
	CodeTimeout               = "Timeout"
	CodeInvalidParameter      = "InvalidParameter"
	CodeSignatureDoesNotMatch = "SignatureDoesNotMatch"
	CodeInvalidAccessKeyID    = "InvalidAccessKeyId.NotFound"
	CodeInvalidTimeStamp      = "InvalidTimeStamp.Expired"
	CodeSignatureNonceUsed    = "SignatureNonceUsed"
	CodeForbidden             = "Forbidden"
	CodeSecurityTokenExpired  = "InvalidSecurityToken.Expired"

	CodeMessageNotFound      = "MessageNotFound"
	CodeMessageExpired       = "MessageExpired"
	CodeMessageCompleted     = "MessageCompleted"
	CodeMessageLimitExceeded = "MessageLimitExceeded"
)

// Limit units: what counts against a MessageId's total push limit.
const (
	UnitTargets = "targets"
	UnitCalls   = "calls"
)
