package pushsim

import (
	"net/http"
	"time"
)

// Credentials of the gateway rules.
var (
	ruleSTS  = Credential{AccessKeyID: "sts-key", AccessKeySecret: "sts-secret", SecurityToken: "sts-token-a"}
	ruleSTS2 = Credential{AccessKeyID: "sts-key-2", AccessKeySecret: "sts-secret-2", SecurityToken: "sts-token-b"}
	ruleRAM  = Credential{AccessKeyID: "ram-user", AccessKeySecret: "ram-secret"}
)

// gatewayRules are the OpenAPI gateway's checks of the common parameters.
func gatewayRules() []Rule {
	ok := func(*Server) Call { return Call{Action: ActionPush, Params: tbdPush()} }
	tampered := func(common, after map[string]string) func(*Server) Call {
		return func(*Server) Call { return Call{Action: ActionPush, Params: tbdPush(), Common: common, After: after} }
	}
	now := time.Now()
	sts := ruleSTS
	sts.Expires = now.Add(time.Hour)
	expired := ruleSTS
	expired.Expires = now.Add(-time.Minute)
	stsConfig := func(c Credential) Config { return Config{Credentials: []Credential{c, ruleSTS2}} }
	as := func(c Credential, common map[string]string) func(*Server) Call {
		return func(*Server) Call { return Call{Action: ActionPush, Params: tbdPush(), Credential: c, Common: common} }
	}
	return []Rule{
		{Name: "Gateway: a signed Push(Target=TBD)", Page: PagePush, Says: "a valid call succeeds",
			Status: http.StatusOK, Prepare: ok},
		{Name: "Gateway: no Signature", Page: PageErrors, Says: "Missing{ParameterName} 400",
			Status: http.StatusBadRequest, Code: "MissingSignature", Prepare: tampered(nil, kv("Signature", ""))},
		{Name: "Gateway: no SignatureNonce", Page: PageErrors, Says: "Missing{ParameterName} 400",
			Status: http.StatusBadRequest, Code: "MissingSignatureNonce", Prepare: tampered(kv("SignatureNonce", ""), nil)},
		{Name: "Gateway: unknown AccessKeyId", Page: PageErrors, Says: "InvalidAccessKeyId.NotFound 400 (the common table says 404; the product's page wins)",
			Status: http.StatusBadRequest, Code: CodeInvalidAccessKeyIDNotFound,
			Prepare: as(Credential{AccessKeyID: "nobody", AccessKeySecret: "x"}, nil)},
		{Name: "Gateway: disabled AccessKey", Page: PageCommonErrors, Says: "InvalidAccessKeyId.Inactive 400 \"Specified access key is disabled.\"",
			Status: http.StatusBadRequest, Code: CodeInvalidAccessKeyIDInactive,
			Config:  Config{Credentials: []Credential{{AccessKeyID: "off", AccessKeySecret: "off-secret", Disabled: true}}},
			Prepare: as(Credential{AccessKeyID: "off", AccessKeySecret: "off-secret"}, nil)},
		{Name: "Gateway: SignatureMethod HMAC-SHA256", Page: PageCommonErrors, Says: "InvalidSignatureMethod 400",
			Status: http.StatusBadRequest, Code: CodeInvalidSignatureMethod, Prepare: tampered(kv("SignatureMethod", "HMAC-SHA256"), nil)},
		{Name: "Gateway: SignatureVersion 2.0", Page: PageClientErrors, Says: "IncompleteSignature 400",
			Status: http.StatusBadRequest, Code: CodeIncompleteSignature, Prepare: tampered(kv("SignatureVersion", "2.0"), nil)},
		{Name: "Gateway: wrong secret", Page: PageErrors, Says: "SignatureDoesNotMatch 400",
			Status: http.StatusBadRequest, Code: CodeSignatureDoesNotMatch,
			Prepare: func(*Server) Call { return Call{Action: ActionPush, Params: tbdPush(), SignWith: "wrong-secret"} }},
		{Name: "Gateway: Timestamp not ISO 8601", Page: PageErrors, Says: "InvalidTimeStamp.Format 400",
			Status: http.StatusBadRequest, Code: CodeInvalidTimeStampFormat, Prepare: tampered(kv("Timestamp", "2024-01-01 00:00:00"), nil)},
		{Name: "Gateway: Timestamp 16 minutes old", Page: PageErrors, Says: "InvalidTimeStamp.Expired 400: more than 15 minutes from the server's time",
			Status: http.StatusBadRequest, Code: CodeInvalidTimeStampExpired,
			Prepare: tampered(kv("Timestamp", now.Add(-16*time.Minute).UTC().Format(TimestampLayout)), nil)},
		{Name: "Gateway: server clock 20 minutes ahead", Page: PageErrors, Says: "InvalidTimeStamp.Expired 400 (SetClockSkew)",
			Status: http.StatusBadRequest, Code: CodeInvalidTimeStampExpired,
			Prepare: func(s *Server) Call { s.SetClockSkew(20 * time.Minute); return ok(s) }},
		{Name: "Gateway: SignatureNonce used again", Page: PageErrors, Says: "SignatureNonceUsed 400",
			Status: http.StatusBadRequest, Code: CodeSignatureNonceUsed,
			Prepare: func(s *Server) Call {
				s.nonces.use("rule-nonce", time.Now())
				return Call{Action: ActionPush, Params: tbdPush(), Common: kv("SignatureNonce", "rule-nonce")}
			}},
		{Name: "Gateway: STS AccessKey with its token", Page: PageCommonErrors, Says: "an STS key signs with its SecurityToken",
			Status: http.StatusOK, Config: stsConfig(sts), Prepare: as(sts, nil)},
		{Name: "Gateway: STS AccessKey without its token", Page: PageCommonErrors, Says: "MissingSecurityToken 400 \"SecurityToken is mandatory for this action.\"",
			Status: http.StatusBadRequest, Code: CodeMissingSecurityToken, Config: stsConfig(sts), Prepare: as(sts, kv("SecurityToken", ""))},
		{Name: "Gateway: STS token expired", Page: PageCommonErrors, Says: "InvalidSecurityToken.Expired 400",
			Status: http.StatusBadRequest, Code: CodeInvalidSecurityTokenExpired, Config: stsConfig(expired), Prepare: as(expired, nil)},
		{Name: "Gateway: STS token unknown", Page: PageCommonErrors, Says: "InvalidSecurityToken.Malformed 400",
			Status: http.StatusBadRequest, Code: CodeInvalidSecurityTokenMalformed, Config: stsConfig(sts), Prepare: as(sts, kv("SecurityToken", "garbage"))},
		{Name: "Gateway: another key's STS token", Page: PageCommonErrors, Says: "InvalidSecurityToken.MismatchWithAccessKey 400",
			Status: http.StatusBadRequest, Code: CodeInvalidSecurityTokenMismatch, Config: stsConfig(sts),
			Prepare: as(sts, kv("SecurityToken", ruleSTS2.SecurityToken))},
		{Name: "Gateway: unknown Action", Page: PageErrors, Says: "InvalidApi.NotFound 404",
			Status: http.StatusNotFound, Code: CodeInvalidAPINotFound,
			Prepare: func(*Server) Call { return Call{Action: "PushNope", Params: tbdPush()} }},
		{Name: "Gateway: unknown Version", Page: PageErrors, Says: "InvalidApi.NotFound 404: an API is an Action of a Version",
			Status: http.StatusNotFound, Code: CodeInvalidAPINotFound, Prepare: tampered(kv("Version", "2015-01-01"), nil)},
		{Name: "Gateway: Format XML", Page: PageCommonErrors, Says: "InvalidParameter.Format 400 (the simulator answers JSON only)",
			Status: http.StatusBadRequest, Code: CodeInvalidParameterFormat, Prepare: tampered(kv("Format", "XML"), nil)},
		{Name: "Gateway: RAM policy denies Push", Page: PageClientErrors, Says: "Forbidden.RAM 403",
			Status: http.StatusForbidden, Code: CodeForbiddenRAM,
			Config:  Config{Credentials: []Credential{{AccessKeyID: ruleRAM.AccessKeyID, AccessKeySecret: ruleRAM.AccessKeySecret, DenyActions: []string{ActionPush}}}},
			Prepare: as(ruleRAM, nil)},
		{Name: "Gateway: user forbidden Push", Page: PageErrors, Says: "Forbidden 403",
			Status: http.StatusForbidden, Code: CodeForbidden,
			Config: Config{Credentials: []Credential{{AccessKeyID: ruleRAM.AccessKeyID, AccessKeySecret: ruleRAM.AccessKeySecret,
				DenyActions: []string{ActionPush}, DenyCode: CodeForbidden}}},
			Prepare: as(ruleRAM, nil)},
		{Name: "Gateway: AppKey not the AccessKey's", Page: PagePushV2, Says: "PermissionDenied 400 \"The specified AppKey is not authorized.\"",
			Status: http.StatusBadRequest, Code: CodePermissionDenied,
			Config:  Config{Credentials: []Credential{{AccessKeyID: ruleRAM.AccessKeyID, AccessKeySecret: ruleRAM.AccessKeySecret, DenyAppKeys: []int64{23267207}}}},
			Prepare: as(ruleRAM, nil)},
		{Name: "Gateway: URI over MaxURLBytes", Page: PageSimulator, Says: "docs silent on the gateway's URL limit; Config.MaxURLBytes, 414",
			Status: http.StatusRequestURITooLong, Code: CodeURITooLong, Config: Config{MaxURLBytes: 2048},
			Prepare: pushCall("Target", TargetDevice, "TargetValue", valuesOf("device-", 200))},
	}
}

// quotaRules are PageQuotas' quotas and the service's own faults.
func quotaRules() []Rule {
	exhausted := func(action string, call func(s *Server) Call) func(*Server) Call {
		return func(s *Server) Call { s.ruleExhaust(DefaultAccount, action); return call(s) }
	}
	cp := func(s *Server) Call {
		return Call{Action: ActionContinuouslyPush, Params: kv("AppKey", ruleAppKey, "MessageId", s.ruleMessage(),
			"Target", TargetDevice, "TargetValue", "d1")}
	}
	complete := func(s *Server) Call {
		return Call{Action: ActionCompleteContinuouslyPush, Params: kv("AppKey", ruleAppKey, "MessageId", s.ruleMessage())}
	}
	query := func(s *Server) Call {
		return Call{Action: ActionQueryPushStatByMsg, Params: kv("AppKey", ruleAppKey, "MessageId", s.ruleMessage())}
	}
	peer := Credential{AccessKeyID: "peer", AccessKeySecret: "peer-secret"}
	return []Rule{
		{Name: "Quota: ContinuouslyPush over 500 calls a second", Page: PageQuotas, Says: "ContinuouslyPush 500/1(s) per regionId, API, ParentUid; Throttling.User 400 (PageErrors)",
			Status: http.StatusBadRequest, Code: CodeThrottlingUser, Prepare: exhausted(ActionContinuouslyPush, cp)},
		{Name: "Quota: Push over 1,000,000 calls a minute", Page: PageQuotas, Says: "Push 1000000/60(s)",
			Status: http.StatusBadRequest, Code: CodeThrottlingUser, Prepare: exhausted(ActionPush, pushCall())},
		{Name: "Quota: CompleteContinuouslyPush over 10,000 calls a minute", Page: PageQuotas, Says: "CompleteContinuouslyPush 10000/60(s)",
			Status: http.StatusBadRequest, Code: CodeThrottlingUser, Prepare: exhausted(ActionCompleteContinuouslyPush, complete)},
		{Name: "Quota: QueryPushStatByMsg over 50 calls a second", Page: PageQuotas, Says: "QueryPushStatByMsg 50/1(s)",
			Status: http.StatusBadRequest, Code: CodeThrottlingUser, Prepare: exhausted(ActionQueryPushStatByMsg, query)},
		{Name: "Quota: two AccessKeys of one main account share it", Page: PageQuotas, Says: "the quota is keyed on ParentUid, the main account",
			Status: http.StatusBadRequest, Code: CodeThrottlingUser,
			Config: Config{Credentials: []Credential{{AccessKeyID: TestAccessKeyID, AccessKeySecret: TestAccessKeySecret}, peer}},
			Prepare: exhausted(ActionContinuouslyPush, func(s *Server) Call {
				c := cp(s)
				c.Credential = peer
				return c
			})},
		{Name: "Quota: another main account has its own", Page: PageQuotas, Says: "the quota is keyed on ParentUid, the main account",
			Status: http.StatusOK,
			Config: Config{Credentials: []Credential{{AccessKeyID: TestAccessKeyID, AccessKeySecret: TestAccessKeySecret},
				{AccessKeyID: peer.AccessKeyID, AccessKeySecret: peer.AccessKeySecret, Account: "another-account"}}},
			Prepare: exhausted(ActionContinuouslyPush, func(s *Server) Call {
				c := cp(s)
				c.Credential = peer
				return c
			})},
		{Name: "Quota: API flow control", Page: PageErrors, Says: "Throttling.Api 400 \"Request was denied due to api flow control.\" (Config.APIQPS)",
			Status: http.StatusBadRequest, Code: CodeThrottlingAPI, Config: Config{APIQPS: map[string]float64{ActionPush: 0.001}},
			Prepare: func(s *Server) Call {
				s.mu.Lock()
				s.quotas.apiLimits[ActionPush].Allow()
				s.mu.Unlock()
				return pushCall()(s)
			}},
		{Name: "Fault: service unavailable", Page: PageCommonErrors, Says: "ServiceUnavailable 503 (Config.TransientFaultRate)",
			Status: http.StatusServiceUnavailable, Code: CodeServiceUnavailable, Config: Config{TransientFaultRate: 1}, Prepare: cp},
		{Name: "Fault: internal error after delivery", Page: PageCommonErrors, Says: "InternalError 500 (Config.AmbiguousFaultRate)",
			Status: http.StatusInternalServerError, Code: CodeInternalError, Config: Config{AmbiguousFaultRate: 1}, Prepare: cp},
	}
}
