package push

import (
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// validMessage is an Android notification that breaks no rule.
func validMessage() Message {
	return Message{Title: "Sale", Body: "Half price", DeviceType: "ANDROID"}
}

// TestMessage_Validate has a case for every rule, named for the rule, with
// the page it comes from: Push is help.aliyun.com document 2249916, Limits
// document 434629 (Chinese 92832).
func TestMessage_Validate(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name  string
		edit  func(m *Message)
		field string // "" when the message is valid
		rule  string // the rule contains it
	}{
		{"valid", func(m *Message) {}, "", ""},

		// Limits: Title, Body must not be empty.
		{"body required", func(m *Message) { m.Body = "" }, "message.body", "required"},

		// Push: enumerations.
		{"push type", func(m *Message) { m.PushType = "SMS" }, "message.push_type", "MESSAGE NOTICE"},
		{"push type lower case", func(m *Message) { m.PushType = "notice" }, "message.push_type", "not \"notice\""},
		{"device type", func(m *Message) { m.DeviceType = "WINDOWS" }, "message.device_type", "iOS ANDROID HARMONY ALL"},
		{"device type HARMONY", func(m *Message) { m.DeviceType = "HARMONY" }, "", ""},
		{"device type ios spelling", func(m *Message) { m.DeviceType = "IOS" }, "message.device_type", "not \"IOS\""},
		{"apns env", func(m *Message) { m.IOS.ApnsEnv = "PROD" }, "message.ios.apns_env", "DEV PRODUCT"},
		{"apns env PRODUCT", func(m *Message) { m.IOS.ApnsEnv = "PRODUCT" }, "", ""},
		{"open type", func(m *Message) { m.Android.OpenType = "APP" }, "message.android.open_type", "APPLICATION ACTIVITY URL NONE"},
		{"open type NONE", func(m *Message) { m.Android.OpenType = "NONE" }, "", ""},

		// Push: Title is required for Android and HarmonyOS, optional for
		// iOS notifications; strict for iOS messages.
		{"title: Android notice", func(m *Message) { m.Title = "" }, "message.title", "required"},
		{"title: Android message", func(m *Message) { m.Title = ""; m.PushType = "MESSAGE" }, "message.title", "required"},
		{"title: HarmonyOS notice", func(m *Message) { m.Title = ""; m.DeviceType = "HARMONY" }, "message.title", "required"},
		{"title: ALL notice (default)", func(m *Message) { m.Title = ""; m.DeviceType = "" }, "message.title", "required"},
		{"title: iOS message", func(m *Message) { m.Title = ""; m.DeviceType = "iOS"; m.PushType = "MESSAGE" }, "message.title", "required"},
		{"title: iOS notice may omit it", func(m *Message) { m.Title = ""; m.DeviceType = "iOS" }, "", ""},
		{"title: iOS notice by default push type", func(m *Message) { m.Title = ""; m.DeviceType = "iOS"; m.PushType = "" }, "", ""},
		// Push: Title at most 200 bytes, counted in UTF-8.
		{"title 200 bytes", func(m *Message) { m.Title = long(200) }, "", ""},
		{"title 201 bytes", func(m *Message) { m.Title = long(201) }, "message.title", "201 bytes; at most 200"},
		{"title 67 CJK characters", func(m *Message) { m.Title = strings.Repeat("标", 67) }, "message.title", "201 bytes"},

		// Push: iOSBadge must be empty when iOSBadgeAutoIncrement is true.
		{"badge with auto increment", func(m *Message) { m.IOS.Badge = ptr(3); m.IOS.BadgeAutoIncrement = ptr(true) },
			"message.ios.badge", "left out when ios.badge_auto_increment is true"},
		{"badge with auto increment off", func(m *Message) { m.IOS.Badge = ptr(3); m.IOS.BadgeAutoIncrement = ptr(false) }, "", ""},
		{"auto increment alone", func(m *Message) { m.IOS.BadgeAutoIncrement = ptr(true) }, "", ""},

		// Push: AndroidActivity and AndroidOpenUrl only with their open type.
		{"activity without open type", func(m *Message) { m.Android.Activity = "com.example.A" },
			"message.android.activity", "only with android.open_type ACTIVITY"},
		{"open type ACTIVITY without activity", func(m *Message) { m.Android.OpenType = "ACTIVITY" },
			"message.android.activity", "required"},
		{"activity", func(m *Message) { m.Android.OpenType, m.Android.Activity = "ACTIVITY", "com.example.A" }, "", ""},
		{"URL without open type", func(m *Message) { m.Android.OpenURL = "https://example.com" },
			"message.android.open_url", "only with android.open_type URL"},
		{"open type URL without URL", func(m *Message) { m.Android.OpenType = "URL" }, "message.android.open_url", "required"},

		// Push: JobKey is at most 32 letters, digits, '_' and '-'.
		{"job key", func(m *Message) { m.JobKey = "campaign_42-a" }, "", ""},
		{"job key 32", func(m *Message) { m.JobKey = long(32) }, "", ""},
		{"job key 33", func(m *Message) { m.JobKey = long(33) }, "message.job_key", "1 to 32 letters"},
		{"job key with a dot", func(m *Message) { m.JobKey = "a.b" }, "message.job_key", `not "a.b"`},

		// Push: ExpireTime later than now + 3 s (cpush: 1 minute), at most 72 h.
		{"expire after 6h", func(m *Message) { m.ExpireAfter = "6h" }, "", ""},
		{"expire after 72h", func(m *Message) { m.ExpireAfter = "72h" }, "", ""},
		{"expire after 1m", func(m *Message) { m.ExpireAfter = "1m" }, "", ""},
		{"expire after 72h1s", func(m *Message) { m.ExpireAfter = "72h0m1s" }, "message.expire_after", "from 1m0s to 72h0m0s"},
		{"expire after 59s", func(m *Message) { m.ExpireAfter = "59s" }, "message.expire_after", "not 59s"},
		{"expire after negative", func(m *Message) { m.ExpireAfter = "-1h" }, "message.expire_after", "not -1h"},
		{"expire after not a duration", func(m *Message) { m.ExpireAfter = "6 hours" }, "message.expire_after", "duration such as 6h"},
		{"expire after with expire time", func(m *Message) { m.ExpireAfter = "6h"; m.ExpireTime = now.Add(time.Hour) },
			"message.expire_after", "cannot be given with expire_time"},
		{"expire time in range", func(m *Message) { m.ExpireTime = now.Add(72 * time.Hour) }, "", ""},
		{"expire time past", func(m *Message) { m.ExpireTime = now.Add(-time.Second) }, "message.expire_time", "from now"},
		{"expire time too soon", func(m *Message) { m.ExpireTime = now.Add(30 * time.Second) }, "message.expire_time", "from now"},
		{"expire time too far", func(m *Message) { m.ExpireTime = now.Add(72*time.Hour + time.Second) }, "message.expire_time", "72h0m0s"},

		// Extra: a Push parameter no typed field sets.
		{"extra", func(m *Message) { m.Extra = map[string]string{"AndroidNotificationBarPriority": "1"} }, "", ""},
		{"extra unknown", func(m *Message) { m.Extra = map[string]string{"AndroidNotifcationChannel": "x"} },
			"message.extra.AndroidNotifcationChannel", "not a parameter"},
		{"extra typed", func(m *Message) { m.Extra = map[string]string{"Title": "t"} }, "message.extra.Title", "set by message.title"},
		{"extra typed iOSMusic", func(m *Message) { m.Extra = map[string]string{"iOSMusic": ""} }, "message.extra.iOSMusic", "message.ios.sound"},
		{"extra reserved", func(m *Message) { m.Extra = map[string]string{"TargetValue": "x"} }, "message.extra.TargetValue", "set by cpush"},
		{"extra empty", func(m *Message) { m.Extra = map[string]string{"AndroidMusic": ""} }, "message.extra.AndroidMusic", "empty"},
		// Push: PushTime is refused with Target TBD.
		{"push time", func(m *Message) { m.Extra = map[string]string{"PushTime": "2026-11-28T10:00:00Z"} },
			"message.extra.PushTime", "does not schedule"},

		// Push: documented values of the Extra parameters.
		{"extra boolean", func(m *Message) { m.Extra = map[string]string{"iOSSilentNotification": "yes"} },
			"message.extra.iOSSilentNotification", "true or false"},
		{"extra integer", func(m *Message) { m.Extra = map[string]string{"AndroidNotificationNotifyId": "1.5"} },
			"message.extra.AndroidNotificationNotifyId", "an integer"},
		{"extra priority range", func(m *Message) { m.Extra = map[string]string{"AndroidNotificationBarPriority": "3"} },
			"message.extra.AndroidNotificationBarPriority", "from -2 to 2"},
		{"extra bar type range", func(m *Message) { m.Extra = map[string]string{"AndroidNotificationBarType": "0"} },
			"message.extra.AndroidNotificationBarType", "from 1 to 100"},
		{"extra badge add range", func(m *Message) { m.Extra = map[string]string{"AndroidBadgeAddNum": "100"} },
			"message.extra.AndroidBadgeAddNum", "from 1 to 99"},
		{"extra render style", func(m *Message) { m.Extra = map[string]string{"AndroidRenderStyle": "4"} },
			"message.extra.AndroidRenderStyle", "from 0 to 3"},
		{"extra relevance score", func(m *Message) { m.Extra = map[string]string{"iOSRelevanceScore": "1.5"} },
			"message.extra.iOSRelevanceScore", "from 0 to 1"},
		{"extra relevance score ok", func(m *Message) { m.Extra = map[string]string{"iOSRelevanceScore": "0.01"} }, "", ""},
		{"extra notify type", func(m *Message) { m.Extra = map[string]string{"AndroidNotifyType": "LOUD"} },
			"message.extra.AndroidNotifyType", "VIBRATE SOUND BOTH NONE"},
		{"extra interruption level", func(m *Message) { m.Extra = map[string]string{"iOSInterruptionLevel": "urgent"} },
			"message.extra.iOSInterruptionLevel", "time-sensitive"},
		{"extra send channels", func(m *Message) { m.Extra = map[string]string{"SendChannels": "accs,huawei"} }, "", ""},
		{"extra send channels unknown", func(m *Message) { m.Extra = map[string]string{"SendChannels": "accs,pigeon"} },
			"message.extra.SendChannels", "comma-separated list"},
		{"extra oppo level", func(m *Message) {
			m.Extra = map[string]string{"AndroidMessageOppoNotifyLevel": "3", "AndroidMessageOppoCategory": "IM"}
		}, "message.extra.AndroidMessageOppoNotifyLevel", "one of [1 2 16]"},
		{"extra oppo level without category", func(m *Message) { m.Extra = map[string]string{"AndroidMessageOppoNotifyLevel": "2"} },
			"message.extra.AndroidMessageOppoCategory", "required when extra.AndroidMessageOppoNotifyLevel"},
		{"extra big title 200 bytes", func(m *Message) { m.Extra = map[string]string{"AndroidBigTitle": long(200)} }, "", ""},
		{"extra big title 201 bytes", func(m *Message) { m.Extra = map[string]string{"AndroidBigTitle": long(201)} },
			"message.extra.AndroidBigTitle", "at most 200"},
		{"extra big body", func(m *Message) { m.Extra = map[string]string{"AndroidBigBody": long(1001)} },
			"message.extra.AndroidBigBody", "at most 1000"},
		{"extra popup title in characters", func(m *Message) {
			m.Extra = map[string]string{"AndroidPopupActivity": "a", "AndroidPopupTitle": strings.Repeat("标", 50), "AndroidPopupBody": "b"}
		}, "", ""},
		{"extra popup title 51 characters", func(m *Message) {
			m.Extra = map[string]string{"AndroidPopupActivity": "a", "AndroidPopupTitle": long(51), "AndroidPopupBody": "b"}
		}, "message.extra.AndroidPopupTitle", "51 characters; at most 50"},
		{"extra popup body 201 characters", func(m *Message) {
			m.Extra = map[string]string{"AndroidPopupActivity": "a", "AndroidPopupTitle": "t", "AndroidPopupBody": long(201)}
		}, "message.extra.AndroidPopupBody", "at most 200"},
		{"extra popup activity without title", func(m *Message) {
			m.Extra = map[string]string{"AndroidPopupActivity": "a", "AndroidPopupBody": "b"}
		}, "message.extra.AndroidPopupTitle", "required when extra.AndroidPopupActivity"},
		{"extra inbox body 6 items", func(m *Message) { m.Extra = map[string]string{"AndroidInboxBody": `["1","2","3","4","5","6"]`} },
			"message.extra.AndroidInboxBody", "at most 5 items"},
		{"extra inbox body not JSON", func(m *Message) { m.Extra = map[string]string{"AndroidInboxBody": "one"} },
			"message.extra.AndroidInboxBody", "JSON array"},
		{"extra harmony inbox 3 items", func(m *Message) { m.Extra = map[string]string{"HarmonyInboxContent": `["1","2","3"]`} }, "", ""},

		// Limits: each platform's content parameters, at most 1800 bytes together.
		{"Android notice 1800 bytes", func(m *Message) { m.Title, m.Body = long(200), long(1600) }, "", ""},
		{"Android notice 1801 bytes", func(m *Message) { m.Title, m.Body = long(200), long(1601) },
			"message.body", "Android notification 1801 bytes"},
		{"Android notice counts ext parameters", func(m *Message) {
			m.Body = long(800)
			m.Android.ExtParameters = map[string]string{"k": long(1000)}
		}, "message.android.ext_parameters", "Android notification"},
		{"Android notice counts Extra AndroidMusic", func(m *Message) {
			m.Body = long(1790)
			m.Extra = map[string]string{"AndroidMusic": "ringtone"}
		}, "message.body", "AndroidMusic"},
		{"Android message 1797 bytes", func(m *Message) { m.PushType = "MESSAGE"; m.Title, m.Body = long(1), long(1796) }, "", ""},
		{"Android message over", func(m *Message) { m.PushType = "MESSAGE"; m.Title, m.Body = long(5), long(1796) },
			"message.body", "Android message 1801 bytes"},
		{"iOS notice leaves the title out of the sum", func(m *Message) {
			m.DeviceType = "iOS"
			m.Title, m.Body = long(200), long(1800)
		}, "", ""},
		{"iOS notice counts the sound", func(m *Message) {
			m.DeviceType = "iOS"
			m.Body, m.IOS.Sound = long(1795), ptr("bell.caf")
		}, "message.body", "iOS notification 1803 bytes"},
		{"iOS notice counts ext parameters", func(m *Message) {
			m.DeviceType = "iOS"
			m.Body, m.IOS.ExtParameters = "b", map[string]string{"attachment": long(1800)}
		}, "message.ios.ext_parameters", "iOS notification"},
		{"HarmonyOS notice counts Extra", func(m *Message) {
			m.DeviceType = "HARMONY"
			m.Body = long(1000)
			m.Extra = map[string]string{"HarmonyRemindBody": long(900)}
		}, "message.body", "HarmonyOS notification"},
		{"ALL takes the iOS limit too", func(m *Message) {
			m.DeviceType = "ALL"
			m.Body, m.IOS.ExtParameters = long(1000), map[string]string{"k": long(800)}
		}, "message.body", "iOS notification"},
		{"CJK counts 3 bytes", func(m *Message) { m.Body = strings.Repeat("标", 600) }, "message.body", "1804 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validMessage()
			tt.edit(&m)
			err := m.validateAt("message", now)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			fe, ok := err.(*FieldError)
			if !ok {
				t.Fatalf("Validate() = %v (%T), want a *FieldError", err, err)
			}
			if fe.Field != tt.field || !strings.Contains(fe.Rule, tt.rule) {
				t.Errorf("Validate() = %q, want field %s with a rule containing %q", err, tt.field, tt.rule)
			}
		})
	}
}
