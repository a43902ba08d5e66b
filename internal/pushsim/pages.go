package pushsim

// Pages the simulator's rules come from. Every check names one of them in a
// comment and in its Rule.Page; docs/simulator.md quotes what each says.
// The help.aliyun.com pages are the Alibaba Cloud Mobile Push (EMAS)
// reference; their parameter text is also what the generated SDKs of API
// version 2016-08-01 carry in their doc comments.
const (
	// PagePush is the Push API reference: parameters, required ones,
	// Target and TargetValue (1,000 values for DEVICE, ACCOUNT and ALIAS),
	// Title (200 bytes), ExpireTime, PushTime, JobKey, iOSBadge, the
	// enumerations.
	PagePush = "help.aliyun.com/document_detail/2249916 (Push)"
	// PageContinuouslyPush is the ContinuouslyPush reference: DEVICE,
	// ACCOUNT and ALIAS only, 1,000 targets a call, 10,000 pushes and 24 h
	// per MessageId, no push after expiry or the limit.
	PageContinuouslyPush = "help.aliyun.com/document_detail/2249917 (ContinuouslyPush)"
	// PageComplete is the CompleteContinuouslyPush reference: AppKey and
	// MessageId; a task not completed ends at its expiry.
	PageComplete = "help.aliyun.com/document_detail/2249918 (CompleteContinuouslyPush)"
	// PageQueryPushStatByMsg is the QueryPushStatByMsg reference: AppKey and
	// MessageId (integers), PushStats.PushStat[] with the counts.
	PageQueryPushStatByMsg = "help.aliyun.com/document_detail/2249932 (QueryPushStatByMsg)"
	// PageQuotas is the API rate quota table: Push 1000000/60s,
	// ContinuouslyPush 500/1s, CompleteContinuouslyPush 10000/60s,
	// QueryPushStatByMsg 50/1s, each keyed on regionId, API and ParentUid
	// (the main account).
	PageQuotas = "help.aliyun.com/document_detail/2249912 (API rate quotas)"
	// PageErrors is Mobile Push's OpenAPI error code table (Chinese
	// version: document 48054): InvalidApi.NotFound 404,
	// Missing{ParameterName} 400, InvalidAccessKeyId.NotFound 400,
	// InvalidTimeStamp.Format and .Expired (15 minutes) 400,
	// SignatureNonceUsed 400, SignatureDoesNotMatch 400, Throttling.User
	// and Throttling.Api 400, Forbidden 403.
	PageErrors = "help.aliyun.com/document_detail/434846 (Mobile Push OpenAPI error codes)"
	// PageLimits is Mobile Push's usage limits (Chinese version: document
	// 92832): accounts at most 64 bytes, aliases at most 128 bytes, and the
	// push content limits (Title + Body and the other fields of a message
	// or notification at most 1800 bytes, a Chinese character 3 bytes).
	PageLimits = "help.aliyun.com/document_detail/434629 (Mobile Push limits)"
	// PagePushV2 is the PushV2 reference, whose error table names two codes
	// that Push shares: Invalid%s.Format 400 ("The specified %s format is
	// invalid.") and PermissionDenied 400 ("The specified AppKey is not
	// authorized.").
	PagePushV2 = "help.aliyun.com/document_detail/2986003 (PushV2 error codes)"
	// PageCommonErrors is the OpenAPI gateway's common (product "Public")
	// error codes: Invalid{ParameterName} 400, InvalidParameter.Format 400,
	// InvalidSignatureMethod 400, InvalidAccessKeyId.Inactive 400,
	// MissingSecurityToken, InvalidSecurityToken.Expired, .Malformed and
	// .MismatchWithAccessKey 400, InternalError 500, ServiceUnavailable 503.
	PageCommonErrors = "error-center.alibabacloud.com/status/product/Public (OpenAPI common error codes)"
	// PageClientErrors is a client error code table of the same gateway
	// that lists Forbidden.RAM 403 and IncompleteSignature 400.
	PageClientErrors = "help.aliyun.com/document_detail/51132 (client error codes)"
	// PageSimulator marks a rule the documentation does not give: the
	// simulator's own answer (a strict reading, or a condition it does not
	// model). docs/simulator.md lists each.
	PageSimulator = "not documented: simulator assumption"
)
