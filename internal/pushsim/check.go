package pushsim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// require refuses the first of names that p lacks (or has empty):
// PageErrors, Missing{ParameterName} 400.
func require(p params, names ...string) (outcome, bool) {
	for _, name := range names {
		if p.get(name) == "" {
			return missing(name), false
		}
	}
	return outcome{}, true
}

// parseAppKey returns the AppKey of p. Every action's page gives AppKey as
// a required integer (Missing{ParameterName}; PagePushV2, Invalid%s.Format
// for one that is not). Docs silent on 0 and negative keys; strict reading:
// no app has one (InvalidAppKey).
func parseAppKey(p params) (int64, outcome, bool) {
	v := p.get("AppKey")
	if v == "" {
		return 0, missing("AppKey"), false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badFormat("AppKey", "%q is not an integer", v), false
	}
	if n <= 0 {
		return 0, invalidParam("AppKey", "%d is not an AppKey", n), false
	}
	return n, outcome{}, true
}

// appKeyOf parses the AppKey of p and applies the caller's AppKey deny list.
func appKeyOf(c caller, p params) (int64, outcome, bool) {
	appKey, o, ok := parseAppKey(p)
	if !ok {
		return 0, o, false
	}
	if o, ok := c.permitAppKey(appKey); !ok {
		return 0, o, false
	}
	return appKey, outcome{}, true
}

// oneOf refuses a value of name outside valid (PageCommonErrors,
// Invalid{ParameterName} 400).
func oneOf(name, v string, valid []string) (outcome, bool) {
	if !slices.Contains(valid, v) {
		return invalidParam(name, "%q is not one of %s", v, strings.Join(valid, ", ")), false
	}
	return outcome{}, true
}

// Documented byte limits of target values (PageLimits: "An account must be
// 64 bytes or less", "An alias must be 128 bytes or less"). Device IDs have
// no documented length.
const (
	maxAccountBytes = 64
	maxAliasBytes   = 128
)

// checkValues checks the TargetValue of a DEVICE, ACCOUNT or ALIAS call and
// returns its number of values. PagePush and PageContinuouslyPush: values
// separated by commas, "up to 1000" for each target type; over it,
// InvalidTargetValue. Docs silent on an empty value ("a,,b", a trailing
// comma); strict reading: no target has an empty ID (InvalidTargetValue).
// Accounts and aliases over their PageLimits bytes cannot be bound to a
// device: InvalidTargetValue.
func checkValues(target, values string) (int, outcome, bool) {
	n := strings.Count(values, ",") + 1
	if n > MaxTargetsPerCall {
		return n, invalidParam("TargetValue", "%d values; at most %d per call", n, MaxTargetsPerCall), false
	}
	if hasEmptyValue(values) {
		return n, invalidParam("TargetValue", "an empty value"), false
	}
	var limit int
	switch target {
	case TargetAccount:
		limit = maxAccountBytes
	case TargetAlias:
		limit = maxAliasBytes
	default:
		return n, outcome{}, true
	}
	for rest := values; rest != ""; {
		var v string
		v, rest, _ = strings.Cut(rest, ",")
		if len(v) > limit {
			return n, invalidParam("TargetValue", "%s %q is %d bytes; at most %d", strings.ToLower(target), v, len(v), limit), false
		}
	}
	return n, outcome{}, true
}

// hasEmptyValue reports whether one of the comma-separated values of s is empty.
func hasEmptyValue(s string) bool {
	return s == "" || s[0] == ',' || s[len(s)-1] == ',' || strings.Contains(s, ",,")
}

// checkJSONMap refuses a value of name that is not a JSON object
// (PagePush on iOSExtParameters, AndroidExtParameters and
// HarmonyExtParameters: "must be passed in JSON map format, otherwise
// parsing will fail"; PagePushV2, Invalid%s.Format).
func checkJSONMap(name, v string) (outcome, bool) {
	var m map[string]any
	if err := json.Unmarshal([]byte(v), &m); err != nil || m == nil {
		return badFormat(name, "not a JSON map: %.60q", v), false
	}
	return outcome{}, true
}

// checkBool refuses a boolean parameter that is not "true" or "false"
// (PagePushV2, Invalid%s.Format).
func checkBool(name, v string) (outcome, bool) {
	if v != "true" && v != "false" {
		return badFormat(name, "%q is not true or false", v), false
	}
	return outcome{}, true
}

// checkInt refuses an integer parameter that is not one, or outside
// [lo, hi] (PagePushV2, Invalid%s.Format; PageCommonErrors,
// Invalid{ParameterName}).
func checkInt(name, v string, lo, hi int64) (outcome, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return badFormat(name, "%q is not an integer", v), false
	}
	if n < lo || n > hi {
		return invalidParam(name, "%d is not in [%d, %d]", n, lo, hi), false
	}
	return outcome{}, true
}

// notModeled is the answer to a request the simulator cannot carry out
// because it does not model what it needs (PageSimulator).
func notModeled(format string, args ...any) outcome {
	return fail(http.StatusBadRequest, CodeTargetNotModeled, format, args...)
}
