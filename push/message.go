package push

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// MaxTitleBytes is the longest Title cpush accepts.
const MaxTitleBytes = 200

// Message is the content of a push: what Push(Target=TBD) stores. The typed
// fields cover the common parameters; Extra passes any other Push parameter
// by its API name (for example "AndroidNotificationBarPriority").
type Message struct {
	Title        string            `json:"title,omitempty"`
	Body         string            `json:"body"`
	PushType     string            `json:"push_type,omitempty"`   // MESSAGE or NOTICE (default NOTICE)
	DeviceType   string            `json:"device_type,omitempty"` // iOS, ANDROID, HARMONY or ALL (default ALL)
	ExpireTime   time.Time         `json:"expire_time,omitzero"`  // when offline delivery stops
	StoreOffline *bool             `json:"store_offline,omitempty"`
	JobKey       string            `json:"job_key,omitempty"`
	IOS          IOSOptions        `json:"ios,omitzero"`
	Android      AndroidOptions    `json:"android,omitzero"`
	Extra        map[string]string `json:"extra,omitempty"`
}

// IOSOptions are the iOS parameters of a Message.
type IOSOptions struct {
	Badge              *int              `json:"badge,omitempty"`
	BadgeAutoIncrement *bool             `json:"badge_auto_increment,omitempty"`
	Sound              string            `json:"sound,omitempty"`    // iOSMusic
	ApnsEnv            string            `json:"apns_env,omitempty"` // DEV or PRODUCT
	Subtitle           string            `json:"subtitle,omitempty"`
	ExtParameters      map[string]string `json:"ext_parameters,omitempty"`
}

// AndroidOptions are the Android parameters of a Message.
type AndroidOptions struct {
	OpenType            string            `json:"open_type,omitempty"` // APPLICATION, ACTIVITY, URL or NONE
	Activity            string            `json:"activity,omitempty"`
	OpenURL             string            `json:"open_url,omitempty"`
	NotificationChannel string            `json:"notification_channel,omitempty"`
	ExtParameters       map[string]string `json:"ext_parameters,omitempty"`
}

// Defaults for a Message's PushType and DeviceType.
const (
	DefaultPushType   = "NOTICE"
	DefaultDeviceType = "ALL"
)

var (
	pushTypes   = []string{"MESSAGE", "NOTICE"}
	deviceTypes = []string{"iOS", "ANDROID", "HARMONY", "ALL"}
	apnsEnvs    = []string{"DEV", "PRODUCT"}
	openTypes   = []string{"APPLICATION", "ACTIVITY", "URL", "NONE"}
)

// FieldError is a Message or job field that breaks a rule.
type FieldError struct {
	Field string // the field's name as producers write it, e.g. "message.body"
	Rule  string // what the value must be
}

// Error names the field and the rule.
func (e *FieldError) Error() string { return e.Field + ": " + e.Rule }

// Validate checks m, naming the first field that breaks a rule. Field names
// are given under prefix (e.g. "message").
func (m *Message) Validate(prefix string) error {
	f := func(name, rule string, args ...any) error {
		return &FieldError{Field: prefix + "." + name, Rule: fmt.Sprintf(rule, args...)}
	}
	switch {
	case m.Body == "":
		return f("body", "is required")
	case m.Title == "" && orDefault(m.PushType, DefaultPushType) == "NOTICE":
		return f("title", "is required for a NOTICE (the default push_type); use push_type MESSAGE for a message without one")
	case len(m.Title) > MaxTitleBytes:
		return f("title", "is %d bytes; at most %d", len(m.Title), MaxTitleBytes)
	case m.PushType != "" && !oneOf(m.PushType, pushTypes):
		return f("push_type", "must be one of %v, not %q", pushTypes, m.PushType)
	case m.DeviceType != "" && !oneOf(m.DeviceType, deviceTypes):
		return f("device_type", "must be one of %v, not %q", deviceTypes, m.DeviceType)
	case m.IOS.ApnsEnv != "" && !oneOf(m.IOS.ApnsEnv, apnsEnvs):
		return f("ios.apns_env", "must be one of %v, not %q", apnsEnvs, m.IOS.ApnsEnv)
	case m.Android.OpenType != "" && !oneOf(m.Android.OpenType, openTypes):
		return f("android.open_type", "must be one of %v, not %q", openTypes, m.Android.OpenType)
	case m.Android.OpenType == "ACTIVITY" && m.Android.Activity == "":
		return f("android.activity", "is required when android.open_type is ACTIVITY")
	case m.Android.OpenType == "URL" && m.Android.OpenURL == "":
		return f("android.open_url", "is required when android.open_type is URL")
	}
	return m.validateExtra(prefix)
}

func (m *Message) validateExtra(prefix string) error {
	typed := m.typedParams()
	for _, name := range sortedKeys(m.Extra) {
		field := prefix + ".extra." + name
		switch {
		case !KnownPushParam(name):
			return &FieldError{Field: field, Rule: "is not a parameter of the Push API (names are case-sensitive, e.g. AndroidNotificationBarPriority)"}
		case reservedParams[name]:
			return &FieldError{Field: field, Rule: "is set by cpush and cannot be passed through"}
		case typed[name] != "":
			return &FieldError{Field: field, Rule: "is also set by a typed field; set it once"}
		}
	}
	return nil
}

// Params returns the Push parameters of m by their API names, defaults
// applied, without AppKey, Target and TargetValue.
func (m *Message) Params() map[string]string {
	p := m.typedParams()
	for k, v := range m.Extra {
		p[k] = v
	}
	for k, v := range p {
		if v == "" {
			delete(p, k)
		}
	}
	return p
}

func (m *Message) typedParams() map[string]string {
	p := map[string]string{
		"Title":                      m.Title,
		"Body":                       m.Body,
		"PushType":                   orDefault(m.PushType, DefaultPushType),
		"DeviceType":                 orDefault(m.DeviceType, DefaultDeviceType),
		"JobKey":                     m.JobKey,
		"StoreOffline":               boolParam(m.StoreOffline),
		"iOSBadge":                   intParam(m.IOS.Badge),
		"iOSBadgeAutoIncrement":      boolParam(m.IOS.BadgeAutoIncrement),
		"iOSMusic":                   m.IOS.Sound,
		"iOSApnsEnv":                 m.IOS.ApnsEnv,
		"iOSSubtitle":                m.IOS.Subtitle,
		"iOSExtParameters":           jsonParam(m.IOS.ExtParameters),
		"AndroidOpenType":            m.Android.OpenType,
		"AndroidActivity":            m.Android.Activity,
		"AndroidOpenUrl":             m.Android.OpenURL,
		"AndroidNotificationChannel": m.Android.NotificationChannel,
		"AndroidExtParameters":       jsonParam(m.Android.ExtParameters),
	}
	if !m.ExpireTime.IsZero() {
		p["ExpireTime"] = m.ExpireTime.UTC().Format("2006-01-02T15:04:05Z")
	}
	return p
}

// reservedParams are Push parameters cpush sets itself or that TBD forbids.
var reservedParams = map[string]bool{
	"AppKey": true, "Target": true, "TargetValue": true, "PushTime": true,
}

func oneOf(s string, set []string) bool {
	for _, v := range set {
		if s == v {
			return true
		}
	}
	return false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func boolParam(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

func intParam(i *int) string {
	if i == nil {
		return ""
	}
	return strconv.Itoa(*i)
}

func jsonParam(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m) // a map[string]string always marshals
	return string(b)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
