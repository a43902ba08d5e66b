package pushsim

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Enumerations of Push's parameters (PagePush, each parameter's "Valid
// values").
var (
	pushTypes   = []string{"MESSAGE", "NOTICE"}
	deviceTypes = []string{"iOS", "ANDROID", "ALL", "HARMONY"}
	pushTargets = []string{TargetDevice, TargetAccount, TargetAlias, TargetTag, TargetAll, TargetTBD}
	// enumParams are the optional parameters with listed values.
	enumParams = map[string][]string{
		"iOSApnsEnv":           {"DEV", "PRODUCT"},
		"AndroidOpenType":      {"APPLICATION", "ACTIVITY", "URL", "NONE"},
		"AndroidNotifyType":    {"VIBRATE", "SOUND", "BOTH", "NONE"},
		"iOSInterruptionLevel": {"passive", "active", "time-sensitive", "critical"},
		"HarmonyActionType":    {"APP_HOME_PAGE", "APP_CUSTOM_PAGE"},
		"HarmonyRenderStyle":   {"NORMAL", "MULTI_LINE"},
	}
	// sendChannels are SendChannels' values, given comma-separated.
	sendChannels = []string{"accs", "huawei", "honor", "xiaomi", "oppo", "vivo", "meizu", "gcm", "fcm", "apns", "harmony"}
	// boolParams are the boolean parameters ("true" or "false").
	boolParams = []string{
		"StoreOffline", "Trim", "iOSBadgeAutoIncrement", "iOSRemind", "iOSSilentNotification",
		"iOSMutableContent", "AndroidRemind", "HarmonyRemind", "HarmonyTestMessage", "HarmonyExtensionPush",
	}
	// intParams are the integer parameters and their documented ranges
	// (math.MinInt32..MaxInt32 where the page gives none).
	intParams = map[string][2]int64{
		"iOSBadge":                       {minInt32, maxInt32},
		"AndroidNotificationBarType":     {1, 100},
		"AndroidNotificationBarPriority": {-2, 2},
		"AndroidBadgeAddNum":             {1, 99},
		"AndroidBadgeSetNum":             {0, 99},
		"AndroidRenderStyle":             {0, 3},
		"AndroidNotificationNotifyId":    {minInt32, maxInt32},
		"HarmonyNotifyId":                {minInt32, maxInt32},
		"SmsSendPolicy":                  {0, 1},
		"SmsDelaySecs":                   {0, 3 * 24 * 3600},
	}
	// jsonMapParams must be JSON objects.
	jsonMapParams = []string{"iOSExtParameters", "AndroidExtParameters", "HarmonyExtParameters"}
)

const (
	minInt32 = -1 << 31
	maxInt32 = 1<<31 - 1
)

// Documented lengths of Push's text parameters.
const (
	// maxTitleBytes: PagePush, Title "Length limit: 200 bytes".
	maxTitleBytes = 200
	// maxContentBytes: PageLimits, push content limits: Title + Body (and
	// the listed fields of a notification) at most 1800 bytes, a Chinese
	// character counting 3 bytes (UTF-8).
	maxContentBytes = 1800
	// maxPopupTitleChars, maxPopupBodyChars: PagePush, AndroidPopupTitle
	// "Length limit: 50 characters", AndroidPopupBody "200 characters".
	maxPopupTitleChars = 50
	maxPopupBodyChars  = 200
)

// jobKeyPattern: PagePush, JobKey "Only letters, digits, or the symbols _
// and - (any combination) are allowed, and the length must not exceed 32
// characters."
var jobKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// uuidPattern: PagePush, IdempotentToken "a standard 36-character UUID
// (8-4-4-4-12) ... hexadecimal digit in the range 0-9 or a-f,
// case-insensitive."
var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// contentChecks are the checks of a Push's content, in order.
var contentChecks = []func(params) (outcome, bool){
	checkEnums, checkTitle, checkContentBytes, checkOptional, checkBadge,
	checkOpenType, checkPopup, checkJobKey, checkIdempotentToken,
}

// checkEnums: PagePush, PushType, DeviceType and Target take only their
// listed values (PageCommonErrors, Invalid{ParameterName}).
func checkEnums(p params) (outcome, bool) {
	for _, e := range []struct {
		name  string
		valid []string
	}{{"PushType", pushTypes}, {"DeviceType", deviceTypes}, {"Target", pushTargets}} {
		if o, ok := oneOf(e.name, p.get(e.name), e.valid); !ok {
			return o, false
		}
	}
	return outcome{}, true
}

// checkTitle: PagePush, Title "Required for Android and HarmonyOS push;
// optional for iOS notifications", "Length limit: 200 bytes". Docs silent
// on iOS messages in the current text (an earlier version: "required when
// pushing Android and iOS messages"); strict reading: only an iOS NOTICE
// may go without a Title, so DeviceType ALL needs one.
func checkTitle(p params) (outcome, bool) {
	title := p.get("Title")
	if title == "" && !(p.get("DeviceType") == "iOS" && p.get("PushType") == "NOTICE") {
		return missing("Title"), false
	}
	if len(title) > maxTitleBytes {
		return invalidParam("Title", "%d bytes; at most %d", len(title), maxTitleBytes), false
	}
	return outcome{}, true
}

// contentFields are the fields PageLimits adds up, by platform and push
// type. The iOS notification's content is "Summary" on the page, today's
// Body; docs silent on its Title, added to iOS notifications later; strict
// reading: counted. HarmonyOS is not on the page; strict reading: the
// Android sums.
var contentFields = map[string][]string{
	"android/MESSAGE": {"Title", "Body"},
	"android/NOTICE":  {"Title", "Body", "AndroidMusic", "AndroidOpenType", "AndroidActivity", "AndroidOpenUrl", "AndroidExtParameters"},
	"ios/MESSAGE":     {"Title", "Body"},
	"ios/NOTICE":      {"Title", "Body", "iOSMusic", "iOSBadge", "iOSExtParameters"},
}

// platforms returns the PageLimits platforms a DeviceType pushes to. Docs
// silent on ALL; strict reading: both rules apply.
func platforms(deviceType string) []string {
	switch deviceType {
	case "iOS":
		return []string{"ios"}
	case "ALL":
		return []string{"android", "ios"}
	default: // ANDROID, HARMONY
		return []string{"android"}
	}
}

// checkContentBytes: PageLimits, push content limits (1800 bytes); over
// them, InvalidBody (PageCommonErrors, Invalid{ParameterName}: the pages
// name no .BytesExceed code).
func checkContentBytes(p params) (outcome, bool) {
	for _, platform := range platforms(p.get("DeviceType")) {
		fields := contentFields[platform+"/"+p.get("PushType")]
		n := 0
		for _, f := range fields {
			n += len(p.get(f))
		}
		if n > maxContentBytes {
			return invalidParam("Body", "%s %s content (%s) is %d bytes; at most %d",
				platform, strings.ToLower(p.get("PushType")), strings.Join(fields, " + "), n, maxContentBytes), false
		}
	}
	return outcome{}, true
}

// checkOptional checks the form and values of the optional parameters:
// enumerations (PagePush, "Valid values"; Invalid{ParameterName}),
// booleans and integers (PagePushV2, Invalid%s.Format; ranges:
// Invalid{ParameterName}), SendChannels' channels and the JSON maps.
func checkOptional(p params) (outcome, bool) {
	for _, name := range sortedKeys(enumParams) {
		if v := p.get(name); v != "" {
			if o, ok := oneOf(name, v, enumParams[name]); !ok {
				return o, false
			}
		}
	}
	if v := p.get("SendChannels"); v != "" {
		for _, ch := range strings.Split(v, ",") {
			if o, ok := oneOf("SendChannels", ch, sendChannels); !ok {
				return o, false
			}
		}
	}
	for _, name := range boolParams {
		if v := p.get(name); v != "" {
			if o, ok := checkBool(name, v); !ok {
				return o, false
			}
		}
	}
	for _, name := range sortedKeys(intParams) {
		if v := p.get(name); v != "" {
			r := intParams[name]
			if o, ok := checkInt(name, v, r[0], r[1]); !ok {
				return o, false
			}
		}
	}
	for _, name := range jsonMapParams {
		if v := p.get(name); v != "" {
			if o, ok := checkJSONMap(name, v); !ok {
				return o, false
			}
		}
	}
	return outcome{}, true
}

// checkBadge: PagePush, iOSBadge "If iOSBadgeAutoIncrement is set to True,
// this field must be empty" (Invalid{ParameterName}).
func checkBadge(p params) (outcome, bool) {
	if p.get("iOSBadgeAutoIncrement") == "true" && p.get("iOSBadge") != "" {
		return invalidParam("iOSBadge", "must be empty when iOSBadgeAutoIncrement is true"), false
	}
	return outcome{}, true
}

// checkOpenType: PagePush, AndroidActivity "Only pass this when
// AndroidOpenType=Activity", AndroidOpenUrl "Only pass this when
// AndroidOpenType=URL". Docs silent on ACTIVITY without an activity and
// URL without a URL; strict reading: the notification cannot open
// anything, so the parameter is missing.
func checkOpenType(p params) (outcome, bool) {
	switch p.get("AndroidOpenType") {
	case "ACTIVITY":
		return require(p, "AndroidActivity")
	case "URL":
		return require(p, "AndroidOpenUrl")
	}
	return outcome{}, true
}

// checkPopup: PagePush, AndroidPopupTitle and AndroidPopupBody "Required
// when the AndroidPopupActivity parameter is not empty", 50 and 200
// characters at most.
func checkPopup(p params) (outcome, bool) {
	if p.get("AndroidPopupActivity") != "" {
		if o, ok := require(p, "AndroidPopupTitle", "AndroidPopupBody"); !ok {
			return o, false
		}
	}
	for _, f := range []struct {
		name string
		max  int
	}{{"AndroidPopupTitle", maxPopupTitleChars}, {"AndroidPopupBody", maxPopupBodyChars}} {
		if n := utf8.RuneCountInString(p.get(f.name)); n > f.max {
			return invalidParam(f.name, "%d characters; at most %d", n, f.max), false
		}
	}
	return outcome{}, true
}

// checkJobKey: see jobKeyPattern (Invalid{ParameterName}).
func checkJobKey(p params) (outcome, bool) {
	if v := p.get("JobKey"); v != "" && !jobKeyPattern.MatchString(v) {
		return invalidParam("JobKey", "%q: letters, digits, _ and - only, at most 32", v), false
	}
	return outcome{}, true
}

// checkIdempotentToken: see uuidPattern (PagePushV2, Invalid%s.Format).
func checkIdempotentToken(p params) (outcome, bool) {
	if v := p.get("IdempotentToken"); v != "" && !uuidPattern.MatchString(v) {
		return badFormat("IdempotentToken", "%q is not a 36-character UUID", v), false
	}
	return outcome{}, true
}

// sortedKeys returns the keys of m in order, so checks run in a fixed order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
