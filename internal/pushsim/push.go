package pushsim

import (
	"strconv"
	"strings"
	"time"
)

// Push schedule limits (PagePush).
const (
	// maxPushAhead: PushTime "must be no later than 7 days from now".
	maxPushAhead = 7 * 24 * time.Hour
	// maxOffline: ExpireTime "Maximum retention is 72 hours".
	maxOffline = 72 * time.Hour
	// minExpireMargin: ExpireTime "must be greater than the current time or
	// the scheduled send time plus 3 seconds".
	minExpireMargin = 3 * time.Second
	// idempotentWindow: IdempotentToken, "calls within 15 minutes".
	idempotentWindow = 15 * time.Minute
)

// idempotentPush is the first successful Push of an IdempotentToken.
type idempotentPush struct {
	messageID string
	at        time.Time // server clock
}

// push is the Push action (PagePush). With Target=TBD it stores the
// message for ContinuouslyPush; with DEVICE, ACCOUNT or ALIAS it delivers
// at once and records the deliveries like ContinuouslyPush's, under a
// MessageId of their own; TAG and ALL it refuses as not modeled.
func (s *Server) push(c caller, p params) outcome {
	appKey, o, ok := appKeyOf(c, p)
	if !ok {
		return o
	}
	// PagePush marks AppKey, PushType, DeviceType, Target and TargetValue
	// required. Body: the current page no longer marks it required (an
	// earlier version and MassPush's PushTask did); docs unclear, strict
	// reading: required.
	if o, ok := require(p, "PushType", "DeviceType", "Target", "TargetValue", "Body"); !ok {
		return o
	}
	if o, ok := checkEnums(p); !ok {
		return o
	}
	n, o, ok := checkPushTarget(p.get("Target"), p.get("TargetValue"))
	if !ok {
		o.values = n
		return o
	}
	for _, check := range contentChecks {
		if o, ok := check(p); !ok {
			return o
		}
	}
	if o, ok := checkSchedule(p, s.serverNow()); !ok {
		return o
	}
	if o, ok := checkModeled(p.get("Target")); !ok {
		return o
	}
	o = s.pushChecked(appKey, p, n)
	o.values = n
	return o
}

// pushChecked stores or delivers a checked Push of n values.
func (s *Server) pushChecked(appKey int64, p params, n int) outcome {
	target := p.get("Target")
	content := cloneContent(Content{PushType: p.get("PushType"), DeviceType: p.get("DeviceType"),
		Title: p.get("Title"), Body: p.get("Body"), Params: actionParams(p)})
	token := p.get("IdempotentToken")
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.idempotent(appKey, token); ok {
		return success(id)
	}
	id, m := s.store(appKey, target, content)
	if target != TargetTBD {
		m.deliver(s.now(), target, strings.Clone(p.get("TargetValue")), n, 0, n)
	}
	if token != "" {
		s.idem[idemKey(appKey, token)] = idempotentPush{id, s.serverNow()}
	}
	return success(id)
}

// idempotent returns the MessageId of the first Push of token within
// idempotentWindow (PagePush, IdempotentToken: "only one push will be
// made, and subsequent calls will return the result of the first
// successful push"); s.mu must be held. Docs silent on whether tokens are
// per AppKey; the simulator keys them per AppKey.
func (s *Server) idempotent(appKey int64, token string) (string, bool) {
	if token == "" {
		return "", false
	}
	first, ok := s.idem[idemKey(appKey, token)]
	if !ok || s.serverNow().Sub(first.at) >= idempotentWindow {
		return "", false
	}
	return first.messageID, true
}

func idemKey(appKey int64, token string) string {
	return strconv.FormatInt(appKey, 10) + "/" + strings.ToLower(token)
}

// checkPushTarget checks Push's TargetValue for its Target (PagePush):
// "Target=TBD: Value is TBD", "Target=ALL: Value is ALL", a tag or tag
// expression for TAG, and for DEVICE, ACCOUNT and ALIAS the values
// checkValues checks. It returns the number of values of a DEVICE,
// ACCOUNT or ALIAS push, else 0.
func checkPushTarget(target, value string) (int, outcome, bool) {
	switch target {
	case TargetTBD, TargetAll:
		if value != target {
			return 0, violating(invalidParam("TargetValue", "%q: with Target=%s the value is %s", value, target, target)), false
		}
	case TargetDevice, TargetAccount, TargetAlias:
		n, o, ok := checkValues(target, value)
		if !ok {
			return n, violating(o), false
		}
		return n, outcome{}, true
	}
	return 0, outcome{}, true
}

// checkModeled refuses the targets the simulator cannot resolve: TAG and
// ALL need the app's devices and tags (PageSimulator: CodeTargetNotModeled).
func checkModeled(target string) (outcome, bool) {
	if target == TargetTag || target == TargetAll {
		return notModeled("Target %s: the simulator has no devices or tags to push to; use DEVICE, ACCOUNT, ALIAS or TBD.", target), false
	}
	return outcome{}, true
}

// checkSchedule checks PushTime and ExpireTime against the server clock
// now (PagePush):
//   - both "ISO8601 ... UTC ... YYYY-MM-DDThh:mm:ssZ", else
//     Invalid{Name}.Format (PagePushV2);
//   - PushTime "not supported" with Target=TBD and "no later than 7 days
//     from now"; docs silent on a PushTime in the past, strict reading:
//     refused (before now, to the second);
//   - ExpireTime "greater than the current time or the scheduled send time
//     plus 3 seconds" and "Maximum retention is 72 hours"; docs silent on
//     what the 72 hours count from, strict reading: from the send time
//     (PushTime, else now).
//
// Out of range answers Invalid{Name} (PageCommonErrors).
func checkSchedule(p params, now time.Time) (outcome, bool) {
	now = now.Truncate(time.Second)
	send := now
	if v := p.get("PushTime"); v != "" {
		t, err := time.Parse(TimestampLayout, v)
		switch {
		case err != nil:
			return badFormat("PushTime", "%q is not %s", v, TimestampLayout), false
		case p.get("Target") == TargetTBD:
			return invalidParam("PushTime", "scheduled sending is not supported with Target=TBD"), false
		case t.Before(now):
			return invalidParam("PushTime", "%s is before now (%s)", v, now.UTC().Format(TimestampLayout)), false
		case t.Sub(now) > maxPushAhead:
			return invalidParam("PushTime", "%s is more than 7 days from now", v), false
		}
		send = t
	}
	if v := p.get("ExpireTime"); v != "" {
		t, err := time.Parse(TimestampLayout, v)
		switch {
		case err != nil:
			return badFormat("ExpireTime", "%q is not %s", v, TimestampLayout), false
		case !t.After(send.Add(minExpireMargin)):
			return invalidParam("ExpireTime", "%s is not more than 3 seconds after the send time %s", v, send.UTC().Format(TimestampLayout)), false
		case t.Sub(send) > maxOffline:
			return invalidParam("ExpireTime", "%s is more than 72 hours after the send time %s", v, send.UTC().Format(TimestampLayout)), false
		}
	}
	return outcome{}, true
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

// cloneContent copies c's strings so that they do not pin the request.
func cloneContent(c Content) Content {
	c.PushType, c.DeviceType = strings.Clone(c.PushType), strings.Clone(c.DeviceType)
	c.Title, c.Body = strings.Clone(c.Title), strings.Clone(c.Body)
	return c
}
