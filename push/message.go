package push

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"
)

// Message is the content of a push: what Push(Target=TBD) stores. The typed
// fields cover the common parameters; Extra passes any other Push parameter
// by its API name (for example "AndroidNotificationBarPriority").
// Validate checks it against the service's documented rules.
type Message struct {
	Title      string `json:"title,omitempty"`
	Body       string `json:"body"`
	PushType   string `json:"push_type,omitempty"`   // MESSAGE or NOTICE (default NOTICE)
	DeviceType string `json:"device_type,omitempty"` // iOS, ANDROID, HARMONY or ALL (default ALL)
	// ExpireAfter is how long after each Push call offline delivery stops,
	// a Go duration such as "6h", from 1m to 72h: each Push call of a job
	// sends ExpireTime = the time of the call + ExpireAfter, so a MessageId
	// created hours after the job was enqueued gets a full window.
	ExpireAfter string `json:"expire_after,omitempty"`
	// ExpireTime is when offline delivery stops, the same for every Push
	// call of the job; at most 72h after the job is enqueued. Set
	// ExpireAfter or ExpireTime, not both.
	ExpireTime   time.Time `json:"expire_time,omitzero"`
	StoreOffline *bool     `json:"store_offline,omitempty"`
	// JobKey is the service's JobKey, which its receipt logs carry: at
	// most 32 letters, digits, '_' or '-'. Empty: the job's ID, mapped by
	// JobKeyFor.
	JobKey  string            `json:"job_key,omitempty"`
	IOS     IOSOptions        `json:"ios,omitzero"`
	Android AndroidOptions    `json:"android,omitzero"`
	Extra   map[string]string `json:"extra,omitempty"`
}

// IOSOptions are the iOS parameters of a Message.
type IOSOptions struct {
	Badge              *int  `json:"badge,omitempty"`
	BadgeAutoIncrement *bool `json:"badge_auto_increment,omitempty"`
	// Sound is iOSMusic: the name of a sound file in the app. Unset (nil):
	// the system sound; set to "" (a pointer to an empty string, JSON
	// "sound": ""): a silent notification.
	Sound         *string           `json:"sound,omitempty"`
	ApnsEnv       string            `json:"apns_env,omitempty"` // DEV or PRODUCT
	Subtitle      string            `json:"subtitle,omitempty"`
	ExtParameters map[string]string `json:"ext_parameters,omitempty"`
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

// FieldError is a Message or job field that breaks a rule.
type FieldError struct {
	Field string // the field's name as producers write it, e.g. "message.body"
	Rule  string // what the value must be
}

// Error names the field and the rule.
func (e *FieldError) Error() string { return e.Field + ": " + e.Rule }

// ForJob returns a copy of m that carries JobKeyFor(jobID) as its JobKey,
// unless m has a JobKey of its own, which it keeps.
func (m *Message) ForJob(jobID string) Message {
	out := *m
	if out.JobKey == "" {
		out.JobKey = JobKeyFor(jobID)
	}
	return out
}

// Params returns the Push parameters of m by their API names for a Push
// call made now: ParamsAt(time.Now()).
func (m *Message) Params() map[string]string { return m.ParamsAt(time.Now()) }

// ParamsAt returns the Push parameters of m by their API names for a Push
// call made at now, defaults applied, without AppKey, Target and
// TargetValue. ExpireAfter becomes ExpireTime = now + ExpireAfter. Every
// parameter that is set is there, even an empty iOSMusic (a silent
// notification); unset ones are not.
func (m *Message) ParamsAt(now time.Time) map[string]string {
	p := m.typedParams(now)
	for k, v := range m.Extra {
		p[k] = v
	}
	return p
}

// typedParams are the parameters of the typed fields that are set.
func (m *Message) typedParams(now time.Time) map[string]string {
	p := map[string]string{
		"Body":       m.Body,
		"PushType":   orDefault(m.PushType, DefaultPushType),
		"DeviceType": orDefault(m.DeviceType, DefaultDeviceType),
	}
	set := func(name, v string) {
		if v != "" {
			p[name] = v
		}
	}
	set("Title", m.Title)
	set("JobKey", m.JobKey)
	set("ExpireTime", m.expireTime(now))
	set("StoreOffline", boolParam(m.StoreOffline))
	set("iOSBadge", intParam(m.IOS.Badge))
	set("iOSBadgeAutoIncrement", boolParam(m.IOS.BadgeAutoIncrement))
	set("iOSApnsEnv", m.IOS.ApnsEnv)
	set("iOSSubtitle", m.IOS.Subtitle)
	set("iOSExtParameters", jsonParam(m.IOS.ExtParameters))
	set("AndroidOpenType", m.Android.OpenType)
	set("AndroidActivity", m.Android.Activity)
	set("AndroidOpenUrl", m.Android.OpenURL)
	set("AndroidNotificationChannel", m.Android.NotificationChannel)
	set("AndroidExtParameters", jsonParam(m.Android.ExtParameters))
	if m.IOS.Sound != nil {
		p["iOSMusic"] = *m.IOS.Sound // "" too: a silent notification
	}
	return p
}

// expireTime is the ExpireTime parameter of a Push call at now: ISO 8601
// in UTC to the second, as the Push page asks. ExpireAfter is rounded
// down to the second, so it never exceeds the 72h bound.
func (m *Message) expireTime(now time.Time) string {
	const layout = "2006-01-02T15:04:05Z"
	if d, err := time.ParseDuration(m.ExpireAfter); err == nil && m.ExpireAfter != "" {
		return now.Add(d).UTC().Truncate(time.Second).Format(layout)
	}
	if !m.ExpireTime.IsZero() {
		return m.ExpireTime.UTC().Format(layout)
	}
	return ""
}

// typedFields name, by Push parameter, the Message field that sets it, as
// producers write it. Extra cannot set these.
var typedFields = map[string]string{
	"Title":                      "title",
	"Body":                       "body",
	"PushType":                   "push_type",
	"DeviceType":                 "device_type",
	"ExpireTime":                 "expire_time",
	"StoreOffline":               "store_offline",
	"JobKey":                     "job_key",
	"iOSBadge":                   "ios.badge",
	"iOSBadgeAutoIncrement":      "ios.badge_auto_increment",
	"iOSMusic":                   "ios.sound",
	"iOSApnsEnv":                 "ios.apns_env",
	"iOSSubtitle":                "ios.subtitle",
	"iOSExtParameters":           "ios.ext_parameters",
	"AndroidOpenType":            "android.open_type",
	"AndroidActivity":            "android.activity",
	"AndroidOpenUrl":             "android.open_url",
	"AndroidNotificationChannel": "android.notification_channel",
	"AndroidExtParameters":       "android.ext_parameters",
}

// fieldOf is the producer's name of the field that sets Push parameter
// name: a typed field, or extra.<name>.
func fieldOf(name string) string {
	if f, ok := typedFields[name]; ok {
		return f
	}
	return "extra." + name
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
