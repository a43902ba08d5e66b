package push

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// reservedParams are Push parameters Extra cannot pass, and why.
var reservedParams = map[string]string{
	"AppKey":      "is set by cpush from the job's app_key",
	"Target":      "is set by cpush (TBD)",
	"TargetValue": "is set by cpush (TBD)",
	// "When Target is TBD (continuous push), scheduled sending is not
	// supported" (Push, PushTime).
	"PushTime": "cannot be set: the Push API does not schedule a message stored with Target TBD; use the job's start_at",
}

// checkExtra checks each parameter of Extra: a Push parameter that no
// typed field sets, with a value its documented rule allows.
func (m *Message) checkExtra(f errorMaker) error {
	for _, name := range sortedKeys(m.Extra) {
		field, v := "extra."+name, m.Extra[name]
		switch {
		case !KnownPushParam(name):
			return f(field, "is not a parameter of the Push API (names are case-sensitive, e.g. AndroidNotificationBarPriority)")
		case reservedParams[name] != "":
			return f(field, "%s", reservedParams[name])
		case typedFields[name] != "":
			return f(field, "is set by message.%s; set it there", typedFields[name])
		case v == "":
			return f(field, "is empty; leave the parameter out")
		}
		if r, ok := extraRules[name]; ok {
			if err := r.check(v); err != nil {
				return f(field, "%s", err.Error())
			}
		}
	}
	return m.checkExtraPairs(f)
}

// checkExtraPairs: parameters that need another (Push).
func (m *Message) checkExtraPairs(f errorMaker) error {
	x := m.Extra
	switch {
	// AndroidPopupTitle and AndroidPopupBody: "Required when the
	// AndroidPopupActivity parameter is not empty".
	case x["AndroidPopupActivity"] != "" && x["AndroidPopupTitle"] == "":
		return f("extra.AndroidPopupTitle", "is required when extra.AndroidPopupActivity is set")
	case x["AndroidPopupActivity"] != "" && x["AndroidPopupBody"] == "":
		return f("extra.AndroidPopupBody", "is required when extra.AndroidPopupActivity is set")
	// "When using the AndroidMessageOppoNotifyLevel parameter, the
	// AndroidMessageOppoCategory parameter must also be provided."
	case x["AndroidMessageOppoNotifyLevel"] != "" && x["AndroidMessageOppoCategory"] == "":
		return f("extra.AndroidMessageOppoCategory", "is required when extra.AndroidMessageOppoNotifyLevel is set")
	}
	return nil
}

// valueRule is what the Push page documents of one parameter's value.
type valueRule struct {
	kind     string   // "bool", "int", "float" or "" (text)
	min, max float64  // the range of a number, when min < max
	values   []string // the allowed values, if listed
	maxBytes int      // the most UTF-8 bytes, if documented
	maxChars int      // the most characters, if documented
	maxItems int      // a JSON array of at most this many items, if documented
	list     bool     // values is a set that a comma-separated list draws from
}

// extraRules are the documented rules of the parameters Extra may pass
// (Push). The SDK's types give the booleans and integers (a test checks
// them against its PushRequest); the ranges, lists and lengths are the
// page's.
var extraRules = map[string]valueRule{
	"AndroidRemind":         {kind: "bool"},
	"HarmonyExtensionPush":  {kind: "bool"},
	"HarmonyRemind":         {kind: "bool"},
	"HarmonyTestMessage":    {kind: "bool"},
	"Trim":                  {kind: "bool"},
	"iOSMutableContent":     {kind: "bool"},
	"iOSRemind":             {kind: "bool"},
	"iOSSilentNotification": {kind: "bool"},

	"AndroidBadgeAddNum":             {kind: "int", min: 1, max: 99},
	"AndroidBadgeSetNum":             {kind: "int", min: 0, max: 99},
	"AndroidHonorTargetUserType":     {kind: "int", min: 0, max: 1},
	"AndroidHuaweiTargetUserType":    {kind: "int", min: 0, max: 1},
	"AndroidMessageOppoNotifyLevel":  {kind: "int", values: []string{"1", "2", "16"}},
	"AndroidNotificationBarPriority": {kind: "int", min: -2, max: 2},
	"AndroidNotificationBarType":     {kind: "int", min: 1, max: 100},
	"AndroidNotificationNotifyId":    {kind: "int"},
	"AndroidRenderStyle":             {kind: "int", min: 0, max: 3},
	"AndroidTargetUserType":          {kind: "int", min: 0, max: 1},
	"AndroidVivoPushMode":            {kind: "int", min: 0, max: 1},
	"HarmonyBadgeAddNum":             {kind: "int"},
	"HarmonyBadgeSetNum":             {kind: "int"},
	"HarmonyNotifyId":                {kind: "int"},
	"SendSpeed":                      {kind: "int"},
	// "recommended to be 15 seconds or more, with a maximum of 3 days"
	"SmsDelaySecs":  {kind: "int", min: 0, max: 3 * 24 * 3600},
	"SmsSendPolicy": {kind: "int", min: 0, max: 1},

	"iOSRelevanceScore": {kind: "float", min: 0, max: 1},

	"AndroidNotifyType":                {values: []string{"VIBRATE", "SOUND", "BOTH", "NONE"}},
	"AndroidMessageHuaweiUrgency":      {values: []string{"HIGH", "NORMAL"}},
	"AndroidNotificationHonorChannel":  {values: []string{"LOW", "NORMAL"}},
	"AndroidNotificationHuaweiChannel": {values: []string{"LOW", "NORMAL"}},
	"AndroidNotificationVivoChannel":   {values: []string{"0", "1"}},
	"HarmonyActionType":                {values: []string{"APP_HOME_PAGE", "APP_CUSTOM_PAGE"}},
	"HarmonyRenderStyle":               {values: []string{"NORMAL", "MULTI_LINE"}},
	"HarmonyNotificationSlotType": {values: []string{"SOCIAL_COMMUNICATION", "SERVICE_INFORMATION",
		"CONTENT_INFORMATION", "CUSTOMER_SERVICE", "OTHER_TYPES"}},
	"iOSInterruptionLevel": {values: []string{"passive", "active", "time-sensitive", "critical"}},
	"SendChannels": {list: true, values: []string{"accs", "huawei", "honor", "xiaomi", "oppo", "vivo",
		"meizu", "gcm", "fcm", "apns", "harmony"}},

	"AndroidBigTitle":   {maxBytes: 200},
	"AndroidBigBody":    {maxBytes: 1000},
	"AndroidPopupTitle": {maxChars: 50},
	"AndroidPopupBody":  {maxChars: 200},

	// "a valid JSON Array with no more than 5 elements"; "Supports up to 3
	// items".
	"AndroidInboxBody":    {maxItems: 5},
	"HarmonyInboxContent": {maxItems: 3},
}

// check returns the rule v breaks, if any.
func (r valueRule) check(v string) error {
	if err := r.checkKind(v); err != nil {
		return err
	}
	switch {
	case r.list:
		for _, item := range strings.Split(v, ",") {
			if !oneOf(item, r.values) {
				return fmt.Errorf("must be a comma-separated list of %v, not %q", r.values, v)
			}
		}
	case len(r.values) > 0 && !oneOf(v, r.values):
		return fmt.Errorf("must be one of %v, not %q", r.values, v)
	case r.maxBytes > 0 && len(v) > r.maxBytes:
		return fmt.Errorf("is %d bytes; at most %d", len(v), r.maxBytes)
	case r.maxChars > 0 && utf8.RuneCountInString(v) > r.maxChars:
		return fmt.Errorf("is %d characters; at most %d", utf8.RuneCountInString(v), r.maxChars)
	case r.maxItems > 0:
		var items []json.RawMessage
		if err := json.Unmarshal([]byte(v), &items); err != nil || len(items) > r.maxItems {
			return fmt.Errorf("must be a JSON array of at most %d items, not %q", r.maxItems, v)
		}
	}
	return nil
}

func (r valueRule) checkKind(v string) error {
	switch r.kind {
	case "bool":
		if v != "true" && v != "false" {
			return fmt.Errorf("must be true or false, not %q", v)
		}
	case "int", "float":
		what := "a number"
		if r.kind == "int" {
			what = "an integer"
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || (r.kind == "int" && strings.ContainsAny(v, ".eE")) {
			return fmt.Errorf("must be %s, not %q", what, v)
		}
		if r.min < r.max && (n < r.min || n > r.max) {
			return fmt.Errorf("must be from %v to %v, not %s", r.min, r.max, v)
		}
	}
	return nil
}

// ExtraBooleans and ExtraIntegers list the Push parameters Extra may pass
// whose values are booleans and integers, for a test against the SDK.
func ExtraBooleans() []string { return extraOfKind("bool") }

// ExtraIntegers lists the integer Push parameters Extra may pass.
func ExtraIntegers() []string { return extraOfKind("int") }

func extraOfKind(kind string) []string {
	var out []string
	for name, r := range extraRules {
		if r.kind == kind {
			out = append(out, name)
		}
	}
	return out
}
