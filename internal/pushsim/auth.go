package pushsim

import (
	"net/http"
	"strings"
	"time"
)

// caller is who an authenticated request comes from.
type caller struct {
	cred   Credential
	region string // RegionId, "" when absent
}

// authChecks are the checks of authenticate, in order. Docs silent on the
// order; the simulator checks what it needs for the next check first.
var authChecks = []func(*Server, string, params, *caller) (outcome, bool){
	(*Server).checkPresent, (*Server).checkAccessKey, (*Server).checkSignatureKind,
	(*Server).checkSignature, (*Server).checkTimestamp, (*Server).checkNonce,
	(*Server).checkSecurityToken, (*Server).checkVersion,
}

// requiredCommon are the common parameters every call must carry, in the
// order their absence is reported.
var requiredCommon = []string{
	"AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion",
	"SignatureNonce", "Timestamp", "Version", "Action",
}

// signatureMismatch is how the service words SignatureDoesNotMatch; the SDK
// compares the string to sign after "server string to sign is:" with its own
// to tell a wrong secret from an SDK bug.
const signatureMismatch = "Specified signature is not matched with our calculation. server string to sign is:"

// authenticate checks the common parameters of a call: presence, AccessKey,
// signature, timestamp, nonce, security token, version and format. It
// returns the caller, or false with the refusal.
func (s *Server) authenticate(method string, p params) (caller, outcome, bool) {
	c := caller{region: p.get("RegionId")}
	for _, check := range authChecks {
		if o, ok := check(s, method, p, &c); !ok {
			return c, o, false
		}
	}
	return c, outcome{}, true
}

// checkPresent: PageErrors, Missing{ParameterName} 400.
func (*Server) checkPresent(_ string, p params, _ *caller) (outcome, bool) {
	for _, name := range requiredCommon {
		if p.get(name) == "" {
			return missing(name), false
		}
	}
	return outcome{}, true
}

// checkAccessKey: PageErrors, InvalidAccessKeyId.NotFound 400 "Specified
// access key is not found."; PageCommonErrors, InvalidAccessKeyId.Inactive
// 400 "Specified access key is disabled."
func (s *Server) checkAccessKey(_ string, p params, c *caller) (outcome, bool) {
	s.mu.Lock()
	cred, ok := s.credential(p.get("AccessKeyId"))
	s.mu.Unlock()
	switch {
	case !ok:
		return fail(http.StatusBadRequest, CodeInvalidAccessKeyIDNotFound, "Specified access key is not found."), false
	case cred.Disabled:
		return fail(http.StatusBadRequest, CodeInvalidAccessKeyIDInactive, "Specified access key is disabled."), false
	}
	c.cred = cred
	return outcome{}, true
}

// checkSignatureKind: PageCommonErrors, InvalidSignatureMethod 400
// "Specified signature method is not valid."; PageClientErrors,
// IncompleteSignature 400 "The request signature does not conform to
// Aliyun standards." for a SignatureVersion other than 1.0.
func (*Server) checkSignatureKind(_ string, p params, _ *caller) (outcome, bool) {
	if m := p.get("SignatureMethod"); m != SignatureMethod {
		return fail(http.StatusBadRequest, CodeInvalidSignatureMethod,
			"Specified signature method is not valid: %q; use %s.", m, SignatureMethod), false
	}
	if v := p.get("SignatureVersion"); v != SignatureVersion {
		return fail(http.StatusBadRequest, CodeIncompleteSignature,
			"The request signature does not conform to Aliyun standards: SignatureVersion %q, use %s.", v, SignatureVersion), false
	}
	return outcome{}, true
}

// checkSignature: PageErrors, SignatureDoesNotMatch 400.
func (*Server) checkSignature(method string, p params, c *caller) (outcome, bool) {
	ok, sts := verifySignature(c.cred.AccessKeySecret, method, p)
	if !ok {
		return fail(http.StatusBadRequest, CodeSignatureDoesNotMatch, "%s%s", signatureMismatch, sts), false
	}
	return outcome{}, true
}

// checkTimestamp: PageErrors, InvalidTimeStamp.Format 400 (not ISO 8601)
// and InvalidTimeStamp.Expired 400 (more than 15 minutes from the time the
// server receives the request; the server clock, see SetClockSkew).
func (s *Server) checkTimestamp(_ string, p params, _ *caller) (outcome, bool) {
	ts := p.get("Timestamp")
	t, err := time.Parse(TimestampLayout, ts)
	if err != nil {
		return fail(http.StatusBadRequest, CodeInvalidTimeStampFormat,
			"Specified time stamp or date value is not well formatted: %q is not %s.", ts, TimestampLayout), false
	}
	now := s.serverNow()
	if skew := now.Sub(t); skew > MaxClockSkew || skew < -MaxClockSkew {
		return fail(http.StatusBadRequest, CodeInvalidTimeStampExpired,
			"Specified time stamp or date value is expired: %s is %s from the server's clock (%s), over %s.",
			ts, skew.Round(time.Second), now.UTC().Format(TimestampLayout), MaxClockSkew), false
	}
	return outcome{}, true
}

// checkNonce: PageErrors, SignatureNonceUsed 400 "Specified signature nonce
// was used already."
func (s *Server) checkNonce(_ string, p params, _ *caller) (outcome, bool) {
	if !s.nonces.use(p.get("SignatureNonce"), time.Now()) {
		return fail(http.StatusBadRequest, CodeSignatureNonceUsed,
			"Specified signature nonce was used already."), false
	}
	return outcome{}, true
}

// checkSecurityToken: PageCommonErrors, MissingSecurityToken ("SecurityToken
// is mandatory for this action."), InvalidSecurityToken.Expired,
// .MismatchWithAccessKey and .Malformed, all 400. Docs silent on a token
// sent with a permanent AccessKey; strict reading: refused like a token of
// another key (Mismatch when it is one, else Malformed).
func (s *Server) checkSecurityToken(_ string, p params, c *caller) (outcome, bool) {
	got, want := p.get("SecurityToken"), c.cred.SecurityToken
	switch {
	case got == "" && want == "":
		return outcome{}, true
	case got == "":
		return fail(http.StatusBadRequest, CodeMissingSecurityToken, "SecurityToken is mandatory for this action."), false
	case got != want:
		s.mu.Lock()
		owner := s.tokenOwner(got)
		s.mu.Unlock()
		if owner != "" {
			return fail(http.StatusBadRequest, CodeInvalidSecurityTokenMismatch,
				"Specified SecurityToken mismatch with the AccessKey."), false
		}
		return fail(http.StatusBadRequest, CodeInvalidSecurityTokenMalformed, "Specified SecurityToken is malformed."), false
	case !c.cred.Expires.IsZero() && !s.serverNow().Before(c.cred.Expires):
		return fail(http.StatusBadRequest, CodeInvalidSecurityTokenExpired,
			"Specified SecurityToken is expired (at %s).", c.cred.Expires.UTC().Format(TimestampLayout)), false
	}
	return outcome{}, true
}

// checkVersion: an API is an Action of a Version, so another Version has
// no API (PageErrors, InvalidApi.NotFound 404 "check that the API you call
// is correct"). A Format other than JSON: PageCommonErrors,
// InvalidParameter.Format 400 (the gateway answers XML or JSON; the
// simulator answers JSON only, and "" as JSON).
func (*Server) checkVersion(_ string, p params, _ *caller) (outcome, bool) {
	if v := p.get("Version"); v != APIVersion {
		return fail(http.StatusNotFound, CodeInvalidAPINotFound,
			"Specified api is not found, please check your url and method: Version %q, the product has %s.", v, APIVersion), false
	}
	if f := p.get("Format"); f != "" && !strings.EqualFold(f, "JSON") {
		return fail(http.StatusBadRequest, CodeInvalidParameterFormat,
			"Specified parameter format is not valid: Format %q; the simulator answers JSON only.", f), false
	}
	return outcome{}, true
}

// permit applies the caller's RAM deny list to action: PageClientErrors,
// Forbidden.RAM 403 "User not authorized to operate on the specified
// resource, or this API doesn't support RAM." (or PageErrors, Forbidden 403
// "User not authorized to operate on the specified resource.").
func (c caller) permit(action string) (outcome, bool) {
	if c.cred.denies(action) {
		return fail(http.StatusForbidden, c.cred.DenyCode,
			"User not authorized to operate on the specified resource: AccessKey %s may not call %s.",
			c.cred.AccessKeyID, action), false
	}
	return outcome{}, true
}

// permitAppKey applies the caller's AppKey deny list: PagePushV2,
// PermissionDenied 400 "The specified AppKey is not authorized."
func (c caller) permitAppKey(appKey int64) (outcome, bool) {
	if c.cred.deniesAppKey(appKey) {
		return fail(http.StatusBadRequest, CodePermissionDenied,
			"The specified AppKey is not authorized: AppKey %d for AccessKey %s.", appKey, c.cred.AccessKeyID), false
	}
	return outcome{}, true
}
