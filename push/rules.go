package push

import (
	"fmt"
	"time"
)

// The rules Validate applies come from two help.aliyun.com pages, cited
// beside each rule: the Push API (document 2249916, "Push") and the
// product's limits (document 434629, "Limits"; Chinese 92832, 使用限制).
// Where a page is silent, the strict reading is taken and the comment says
// so.

// Limits of a Message.
const (
	// MaxTitleBytes: "Title ... Length limit: 200 bytes" (Push).
	MaxTitleBytes = 200
	// MaxContentBytes bounds the sum of a platform's content parameters,
	// in UTF-8 bytes ("中文字符算 3 Bytes"): e.g. "Android 通知: Title +
	// Body + AndroidMusic + AndroidOpenType + AndroidActivity +
	// AndroidOpenUrl + AndroidExtParameter <= 1800B" (Limits).
	MaxContentBytes = 1800
	// MaxExpireAfter: "Maximum retention is 72 hours" (Push, ExpireTime).
	MaxExpireAfter = 72 * time.Hour
	// MinExpireAfter: the Push page requires ExpireTime to be more than 3
	// seconds after the call and recommends at least 1 minute for a
	// single push (10 for a batch); cpush takes 1 minute, so that rounding
	// to the second and the call's latency never bring it under 3 s.
	MinExpireAfter = time.Minute
)

// Documented values of the enumerated fields (Push).
var (
	pushTypes   = []string{"MESSAGE", "NOTICE"}
	deviceTypes = []string{"iOS", "ANDROID", "HARMONY", "ALL"}
	apnsEnvs    = []string{"DEV", "PRODUCT"}
	openTypes   = []string{"APPLICATION", "ACTIVITY", "URL", "NONE"}
)

// errorf returns a maker of FieldErrors for fields under prefix.
func errorf(prefix string) func(field, rule string, args ...any) error {
	return func(field, rule string, args ...any) error {
		return &FieldError{Field: prefix + "." + field, Rule: fmt.Sprintf(rule, args...)}
	}
}

// Validate checks m against the service's documented rules and returns a
// *FieldError for the first field that breaks one; field names are given
// under prefix (e.g. "message.title").
func (m *Message) Validate(prefix string) error { return m.validateAt(prefix, time.Now()) }

func (m *Message) validateAt(prefix string, now time.Time) error {
	f := errorf(prefix)
	for _, check := range []func() error{
		func() error { return m.checkTypes(f) },
		func() error { return m.checkTitle(f) },
		func() error { return m.checkOptions(f) },
		func() error { return m.checkExpiry(f, now) },
		func() error { return m.checkExtra(f) },
		func() error { return m.checkContent(f, now) },
	} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

type errorMaker = func(field, rule string, args ...any) error

func (m *Message) checkTypes(f errorMaker) error {
	switch {
	// "Title, Body 字段都不能为空" for every platform (Limits).
	case m.Body == "":
		return f("body", "is required")
	// PushType: MESSAGE or NOTICE (Push).
	case !oneOf(orDefault(m.PushType, DefaultPushType), pushTypes):
		return f("push_type", "must be one of %v, not %q", pushTypes, m.PushType)
	// DeviceType: HARMONY, iOS, ANDROID or ALL (Push).
	case !oneOf(orDefault(m.DeviceType, DefaultDeviceType), deviceTypes):
		return f("device_type", "must be one of %v, not %q", deviceTypes, m.DeviceType)
	}
	return nil
}

// checkTitle: "Required for Android and HarmonyOS push; optional for iOS
// notifications ... Length limit: 200 bytes" (Push). ALL reaches Android
// devices, so it needs a title. The page does not say whether an iOS
// message (PushType MESSAGE) may go without one: the strict reading
// requires it. (The Limits page's "Title, Body 字段不能为空" under iOS is
// stricter than the Push page; cpush follows the Push page, the
// parameter's own reference.)
func (m *Message) checkTitle(f errorMaker) error {
	iosNotice := orDefault(m.DeviceType, DefaultDeviceType) == "iOS" && orDefault(m.PushType, DefaultPushType) == "NOTICE"
	switch {
	case m.Title == "" && !iosNotice:
		return f("title", "is required unless device_type is iOS and push_type is NOTICE: Android and HarmonyOS pushes (device_type ALL too) and iOS messages need one")
	case len(m.Title) > MaxTitleBytes:
		return f("title", "is %d bytes; at most %d", len(m.Title), MaxTitleBytes)
	}
	return nil
}

func (m *Message) checkOptions(f errorMaker) error {
	a := m.Android
	switch {
	// iOSApnsEnv: DEV or PRODUCT (Push).
	case m.IOS.ApnsEnv != "" && !oneOf(m.IOS.ApnsEnv, apnsEnvs):
		return f("ios.apns_env", "must be one of %v, not %q", apnsEnvs, m.IOS.ApnsEnv)
	// "If iOSBadgeAutoIncrement is set to True, this field must be empty"
	// (Push, iOSBadge).
	case m.IOS.Badge != nil && m.IOS.BadgeAutoIncrement != nil && *m.IOS.BadgeAutoIncrement:
		return f("ios.badge", "must be left out when ios.badge_auto_increment is true")
	// AndroidOpenType: APPLICATION, ACTIVITY, URL or NONE (Push).
	case a.OpenType != "" && !oneOf(a.OpenType, openTypes):
		return f("android.open_type", "must be one of %v, not %q", openTypes, a.OpenType)
	// AndroidActivity: "Only pass this when AndroidOpenType="Activity""; the
	// page does not say it is required then: strict reading, it is.
	case a.Activity != "" && a.OpenType != "ACTIVITY":
		return f("android.activity", "applies only with android.open_type ACTIVITY")
	case a.OpenType == "ACTIVITY" && a.Activity == "":
		return f("android.activity", "is required when android.open_type is ACTIVITY")
	// AndroidOpenUrl: "Only pass this when AndroidOpenType="URL""; required
	// then by the same strict reading.
	case a.OpenURL != "" && a.OpenType != "URL":
		return f("android.open_url", "applies only with android.open_type URL")
	case a.OpenType == "URL" && a.OpenURL == "":
		return f("android.open_url", "is required when android.open_type is URL")
	// JobKey: "Only letters, digits, or the symbols "_" and "-" ..., and the
	// length must not exceed 32 characters" (Push).
	case m.JobKey != "" && !ValidJobKey(m.JobKey):
		return f("job_key", "must be 1 to %d letters, digits, '_' or '-', not %q", MaxJobKeyLen, m.JobKey)
	}
	return nil
}

// checkExpiry: "Maximum retention is 72 hours"; the expiration time must be
// later than the current time plus 3 seconds (Push, ExpireTime).
func (m *Message) checkExpiry(f errorMaker, now time.Time) error {
	switch {
	case m.ExpireAfter != "" && !m.ExpireTime.IsZero():
		return f("expire_after", "cannot be given with expire_time: set one")
	case m.ExpireAfter != "":
		d, err := time.ParseDuration(m.ExpireAfter)
		if err != nil {
			return f("expire_after", "must be a duration such as 6h or 90m, not %q", m.ExpireAfter)
		}
		if d < MinExpireAfter || d > MaxExpireAfter {
			return f("expire_after", "must be from %s to %s, not %s", MinExpireAfter, MaxExpireAfter, d)
		}
	case !m.ExpireTime.IsZero():
		if m.ExpireTime.Before(now.Add(MinExpireAfter)) || m.ExpireTime.After(now.Add(MaxExpireAfter)) {
			return f("expire_time", "must be from %s to %s from now, not %s (expire_after gives each MessageId of a long job its own window)",
				MinExpireAfter, MaxExpireAfter, m.ExpireTime.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// contentLimit is one documented bound on a platform's content: the sum
// of params, in bytes, is at most MaxContentBytes (Limits).
type contentLimit struct {
	deviceType, pushType string
	what                 string
	params               []string
}

var contentLimits = []contentLimit{
	{"ANDROID", "MESSAGE", "Android message", []string{"Title", "Body"}},
	{"ANDROID", "NOTICE", "Android notification", []string{"Title", "Body", "AndroidMusic",
		"AndroidOpenType", "AndroidActivity", "AndroidOpenUrl", "AndroidExtParameters"}},
	{"iOS", "MESSAGE", "iOS message", []string{"Title", "Body"}},
	{"iOS", "NOTICE", "iOS notification", []string{"Body", "iOSMusic", "iOSBadge", "iOSExtParameters"}},
	{"HARMONY", "MESSAGE", "HarmonyOS message", []string{"Title", "Body"}},
	{"HARMONY", "NOTICE", "HarmonyOS notification", []string{"Title", "Body", "HarmonyRemindTitle",
		"HarmonyRemindBody", "HarmonyNotifyId", "HarmonyActionType", "HarmonyAction", "HarmonyUri",
		"HarmonyRenderStyle", "HarmonyImageUrl", "HarmonyInboxContent", "HarmonyNotificationSlotType",
		"HarmonyExtParameters"}},
}

// checkContent applies the content limits of every platform the message
// reaches: ALL reaches Android and iOS devices (a dual-platform AppKey) or
// those of the app's one platform, HarmonyOS included; the strict reading
// applies all three. The error names the largest part of the sum.
func (m *Message) checkContent(f errorMaker, now time.Time) error {
	p := m.ParamsAt(now)
	deviceType, pushType := orDefault(m.DeviceType, DefaultDeviceType), orDefault(m.PushType, DefaultPushType)
	for _, l := range contentLimits {
		if l.pushType != pushType || (deviceType != l.deviceType && deviceType != "ALL") {
			continue
		}
		total, largest := 0, l.params[0]
		for _, name := range l.params {
			total += len(p[name])
			if len(p[name]) > len(p[largest]) {
				largest = name
			}
		}
		if total > MaxContentBytes {
			return f(fieldOf(largest), "makes the %s %d bytes (%s, in UTF-8); at most %d",
				l.what, total, joinPlus(l.params), MaxContentBytes)
		}
	}
	return nil
}

func joinPlus(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += " + "
		}
		s += n
	}
	return s
}

func oneOf(s string, set []string) bool {
	for _, v := range set {
		if s == v {
			return true
		}
	}
	return false
}
