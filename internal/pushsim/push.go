package pushsim

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cpush/cpush/push"
)

// Valid values of Push's enumerated parameters.
var (
	pushTypes   = []string{"MESSAGE", "NOTICE"}
	deviceTypes = []string{"iOS", "ANDROID", "ALL", "HARMONY"}
	pushTargets = []string{"DEVICE", "ACCOUNT", "ALIAS", "TAG", "ALL", push.TargetTBD}
)

// push is the Push action. Only Target=TBD is simulated: it stores the
// message for ContinuouslyPush and returns its MessageId.
func (s *Server) push(p params) outcome {
	appKey, o, ok := parseAppKey(p)
	if !ok {
		return o
	}
	c, o, ok := parseContent(p)
	if !ok {
		return o
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return success(s.store(appKey, c))
}

// parseContent checks Push's parameters other than AppKey.
func parseContent(p params) (Content, outcome, bool) {
	// Push reference (help.aliyun.com document 2249916): Target and
	// TargetValue are both required; with Target=TBD the value is "TBD".
	if o, ok := require(p, "Target", "TargetValue", "PushType", "DeviceType", "Body"); !ok {
		return Content{}, o, false
	}
	if o, ok := checkPushTarget(p.get("Target")); !ok {
		return Content{}, o, false
	}
	if v := p.get("TargetValue"); v != push.TargetTBD {
		return Content{}, invalid("TargetValue %q: with Target=TBD the value is TBD.", v), false
	}
	c := Content{PushType: p.get("PushType"), DeviceType: p.get("DeviceType"), Title: p.get("Title"), Body: p.get("Body")}
	if o, ok := checkContent(c); !ok {
		return Content{}, o, false
	}
	if p.get("PushTime") != "" {
		return Content{}, invalid("PushTime: scheduling is not allowed with Target=TBD."), false
	}
	c.Params = actionParams(p)
	return cloneContent(c), outcome{}, true
}

// commonParams are the parameters every RPC call carries.
var commonParams = map[string]bool{
	"AccessKeyId": true, "Action": true, "BearerToken": true, "Format": true,
	"RegionId": true, "SecurityToken": true, "Signature": true, "SignatureMethod": true,
	"SignatureNonce": true, "SignatureType": true, "SignatureVersion": true,
	"Timestamp": true, "Version": true,
}

// actionParams returns copies of p's parameters but the common ones.
func actionParams(p params) map[string]string {
	out := make(map[string]string, len(p))
	for _, kv := range p {
		if !commonParams[kv.key] {
			out[strings.Clone(kv.key)] = strings.Clone(kv.value)
		}
	}
	return out
}

// checkPushTarget refuses every Target but TBD.
func checkPushTarget(target string) (outcome, bool) {
	switch {
	case target == push.TargetTBD:
		return outcome{}, true
	case contains(pushTargets, target):
		return invalid("Target %s: the simulator stores messages only; use Target=TBD and push with ContinuouslyPush.", target), false
	default:
		return invalid("Target %q is not valid; use one of %s.", target, strings.Join(pushTargets, ", ")), false
	}
}

// checkContent checks PushType, DeviceType and the Title of a NOTICE.
func checkContent(c Content) (outcome, bool) {
	if !contains(pushTypes, c.PushType) {
		return invalid("PushType %q is not valid; use MESSAGE or NOTICE.", c.PushType), false
	}
	if !contains(deviceTypes, c.DeviceType) {
		return invalid("DeviceType %q is not valid; use one of %s.", c.DeviceType, strings.Join(deviceTypes, ", ")), false
	}
	if c.PushType == "NOTICE" && c.Title == "" {
		return missing("Title"), false
	}
	return outcome{}, true
}

// cloneContent copies c's strings so that they do not pin the request.
func cloneContent(c Content) Content {
	c.PushType, c.DeviceType = strings.Clone(c.PushType), strings.Clone(c.DeviceType)
	c.Title, c.Body = strings.Clone(c.Title), strings.Clone(c.Body)
	return c
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// require refuses the first of names that p lacks (or has empty).
func require(p params, names ...string) (outcome, bool) {
	for _, name := range names {
		if p.get(name) == "" {
			return missing(name), false
		}
	}
	return outcome{}, true
}

// parseAppKey returns the AppKey of p, a positive integer.
func parseAppKey(p params) (int64, outcome, bool) {
	v := p.get("AppKey")
	if v == "" {
		return 0, missing("AppKey"), false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fail(http.StatusBadRequest, push.CodeInvalidParameter,
			"AppKey %q is not a positive integer.", v), false
	}
	return n, outcome{}, true
}
