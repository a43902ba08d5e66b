package pushsim

import (
	"net/http"
	"strings"
	"time"

	"github.com/cpush/cpush/push"
)

// authChecks are the checks of authenticate, in order.
var authChecks = []func(*Server, string, params) (outcome, bool){
	(*Server).checkPresent, (*Server).checkAccessKey, (*Server).checkSignatureKind,
	(*Server).checkSignature, (*Server).checkTimestamp, (*Server).checkNonce,
	(*Server).checkVersion,
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
// signature, timestamp, nonce, version and format. It reports false with
// the refusal when one fails.
func (s *Server) authenticate(method string, p params) (outcome, bool) {
	for _, check := range authChecks {
		if o, ok := check(s, method, p); !ok {
			return o, false
		}
	}
	return outcome{}, true
}

func (*Server) checkPresent(_ string, p params) (outcome, bool) {
	for _, name := range requiredCommon {
		if p.get(name) == "" {
			return missing(name), false
		}
	}
	return outcome{}, true
}

func (s *Server) checkAccessKey(_ string, p params) (outcome, bool) {
	if p.get("AccessKeyId") != s.cfg.AccessKeyID {
		return fail(http.StatusNotFound, push.CodeInvalidAccessKeyID,
			"Specified access key is not found."), false
	}
	return outcome{}, true
}

func (*Server) checkSignatureKind(_ string, p params) (outcome, bool) {
	if m := p.get("SignatureMethod"); m != SignatureMethod {
		return fail(http.StatusBadRequest, CodeIncompleteSignature,
			"SignatureMethod %q is not supported; use %s.", m, SignatureMethod), false
	}
	if v := p.get("SignatureVersion"); v != SignatureVersion {
		return fail(http.StatusBadRequest, CodeIncompleteSignature,
			"SignatureVersion %q is not supported; use %s.", v, SignatureVersion), false
	}
	return outcome{}, true
}

func (s *Server) checkSignature(method string, p params) (outcome, bool) {
	ok, sts := verifySignature(s.cfg.AccessKeySecret, method, p)
	if !ok {
		return fail(http.StatusBadRequest, push.CodeSignatureDoesNotMatch, "%s%s", signatureMismatch, sts), false
	}
	return outcome{}, true
}

func (*Server) checkTimestamp(_ string, p params) (outcome, bool) {
	ts := p.get("Timestamp")
	t, err := time.Parse(TimestampLayout, ts)
	if err != nil {
		return fail(http.StatusBadRequest, CodeInvalidTimeStampFormat,
			"Timestamp %q is not ISO 8601 UTC (%s).", ts, TimestampLayout), false
	}
	if skew := time.Since(t); skew > MaxClockSkew || skew < -MaxClockSkew {
		return fail(http.StatusBadRequest, push.CodeInvalidTimeStamp,
			"Specified time stamp or date value is expired: %s is %s from the server's clock, over %s.",
			ts, skew.Round(time.Second), MaxClockSkew), false
	}
	return outcome{}, true
}

func (s *Server) checkNonce(_ string, p params) (outcome, bool) {
	if !s.nonces.use(p.get("SignatureNonce"), time.Now()) {
		return fail(http.StatusBadRequest, push.CodeSignatureNonceUsed,
			"Specified signature nonce was used already."), false
	}
	return outcome{}, true
}

func (*Server) checkVersion(_ string, p params) (outcome, bool) {
	if v := p.get("Version"); v != APIVersion {
		return fail(http.StatusBadRequest, CodeInvalidVersion,
			"Specified parameter Version %q is not valid; use %s.", v, APIVersion), false
	}
	if f := p.get("Format"); f != "" && !strings.EqualFold(f, "JSON") {
		return invalid("Format %q: the simulator answers JSON only.", f), false
	}
	return outcome{}, true
}
