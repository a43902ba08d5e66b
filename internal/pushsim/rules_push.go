package pushsim

import (
	"net/http"
	"strings"
	"time"
)

// pushRules are Push's required parameters, targets and schedule.
func pushRules() []Rule {
	bad := func(name, page, says, code string, kvs ...string) Rule {
		return Rule{Name: "Push: " + name, Page: page, Says: says, Status: http.StatusBadRequest, Code: code, Prepare: pushCall(kvs...)}
	}
	good := func(name, page, says string, kvs ...string) Rule {
		return Rule{Name: "Push: " + name, Page: page, Says: says, Status: http.StatusOK, Prepare: pushCall(kvs...)}
	}
	at := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(TimestampLayout) }
	device := func(kvs ...string) []string {
		return append([]string{"Target", TargetDevice, "TargetValue", "d1,d2"}, kvs...)
	}
	required := "AppKey, PushType, DeviceType, Target and TargetValue are required; Missing{ParameterName} 400 (PageErrors)"
	return []Rule{
		bad("no AppKey", PagePush, required, "MissingAppKey", "AppKey", ""),
		bad("AppKey not an integer", PagePushV2, "AppKey is an integer; Invalid%s.Format 400", "InvalidAppKey.Format", "AppKey", "abc"),
		bad("no PushType", PagePush, required, "MissingPushType", "PushType", ""),
		bad("no DeviceType", PagePush, required, "MissingDeviceType", "DeviceType", ""),
		bad("no Target", PagePush, required, "MissingTarget", "Target", ""),
		bad("no TargetValue", PagePush, required, "MissingTargetValue", "TargetValue", ""),
		bad("no Body", PagePush, "the current page no longer marks Body required, earlier ones did; strict reading: required", "MissingBody", "Body", ""),
		bad("PushType SMS", PagePush, "PushType is MESSAGE or NOTICE; Invalid{ParameterName} 400 (PageCommonErrors)", "InvalidPushType", "PushType", "SMS"),
		bad("DeviceType WINDOWS", PagePush, "DeviceType is HARMONY, iOS, ANDROID or ALL", "InvalidDeviceType", "DeviceType", "WINDOWS"),
		good("DeviceType HARMONY", PagePush, "HARMONY: HarmonyOS device", "DeviceType", "HARMONY"),
		bad("Target SMS", PagePush, "Target is DEVICE, ACCOUNT, ALIAS, TAG, ALL or TBD", "InvalidTarget", "Target", "SMS"),
		bad("Target=TBD with TargetValue ALL", PagePush, "Target=TBD: the value is TBD", "InvalidTargetValue", "TargetValue", "ALL"),
		bad("Target=ALL with TargetValue all", PagePush, "Target=ALL: the value is ALL", "InvalidTargetValue", "Target", TargetAll, "TargetValue", "all"),
		good("Target=DEVICE delivers at once", PagePush, "DEVICE: push by device, values such as deviceid1,deviceid2", device()...),
		good("1000 accounts", PagePush, "Target=ACCOUNT: up to 1000 (older pages said 100)",
			"Target", TargetAccount, "TargetValue", valuesOf("account-", MaxTargetsPerCall)),
		bad("1001 devices", PagePush, "Target=DEVICE: up to 1000; Invalid{ParameterName} 400", "InvalidTargetValue",
			"Target", TargetDevice, "TargetValue", valuesOf("d", MaxTargetsPerCall+1)),
		bad("1001 accounts", PagePush, "Target=ACCOUNT: up to 1000", "InvalidTargetValue",
			"Target", TargetAccount, "TargetValue", valuesOf("a", MaxTargetsPerCall+1)),
		bad("1001 aliases", PagePush, "Target=ALIAS: up to 1000", "InvalidTargetValue",
			"Target", TargetAlias, "TargetValue", valuesOf("a", MaxTargetsPerCall+1)),
		bad("an empty device", PageSimulator, "docs silent on empty values; strict reading: refused", "InvalidTargetValue",
			"Target", TargetDevice, "TargetValue", "d1,,d2"),
		bad("a 65-byte account", PageLimits, "an account must be 64 bytes or less", "InvalidTargetValue",
			"Target", TargetAccount, "TargetValue", strings.Repeat("a", maxAccountBytes+1)),
		bad("a 129-byte alias", PageLimits, "an alias must be 128 bytes or less", "InvalidTargetValue",
			"Target", TargetAlias, "TargetValue", strings.Repeat("a", maxAliasBytes+1)),
		bad("Target TAG", PageSimulator, "the simulator has no tags: Simulator.TargetNotModeled 400", CodeTargetNotModeled,
			"Target", TargetTag, "TargetValue", "vip"),
		bad("Target ALL", PageSimulator, "the simulator has no devices: Simulator.TargetNotModeled 400", CodeTargetNotModeled,
			"Target", TargetAll, "TargetValue", TargetAll),
		bad("PushTime with Target=TBD", PagePush, "when Target is TBD, scheduled sending is not supported", "InvalidPushTime",
			"PushTime", at(time.Hour)),
		bad("PushTime not ISO 8601", PagePush, "YYYY-MM-DDThh:mm:ssZ in UTC; Invalid%s.Format 400 (PagePushV2)", "InvalidPushTime.Format",
			device("PushTime", "2030-01-01 00:00:00")...),
		bad("PushTime 8 days ahead", PagePush, "scheduled sending must be no later than 7 days from now", "InvalidPushTime",
			device("PushTime", at(8*24*time.Hour))...),
		bad("PushTime in the past", PageSimulator, "docs silent; strict reading: refused", "InvalidPushTime",
			device("PushTime", at(-time.Hour))...),
		good("PushTime 6 days ahead", PagePush, "no later than 7 days from now", device("PushTime", at(6*24*time.Hour))...),
		bad("ExpireTime not ISO 8601", PagePush, "YYYY-MM-DDThh:mm:ssZ in UTC", "InvalidExpireTime.Format", "ExpireTime", "tomorrow"),
		bad("ExpireTime now", PagePush, "must be greater than the current time plus 3 seconds", "InvalidExpireTime", "ExpireTime", at(0)),
		bad("ExpireTime 73 hours ahead", PagePush, "maximum retention is 72 hours", "InvalidExpireTime", "ExpireTime", at(73*time.Hour)),
		good("ExpireTime 71 hours ahead", PagePush, "maximum retention is 72 hours", "ExpireTime", at(71*time.Hour)),
	}
}

// pushContentRules are Push's rules on the message's content.
func pushContentRules() []Rule {
	bad := func(name, page, says, code string, kvs ...string) Rule {
		return Rule{Name: "Push: " + name, Page: page, Says: says, Status: http.StatusBadRequest, Code: code, Prepare: pushCall(kvs...)}
	}
	good := func(name, page, says string, kvs ...string) Rule {
		return Rule{Name: "Push: " + name, Page: page, Says: says, Status: http.StatusOK, Prepare: pushCall(kvs...)}
	}
	title := "Title is required for Android and HarmonyOS push, optional for iOS notifications"
	long := strings.Repeat("长", 601) // 1803 bytes
	return []Rule{
		bad("ANDROID NOTICE without Title", PagePush, title, "MissingTitle", "DeviceType", "ANDROID", "Title", ""),
		bad("ANDROID MESSAGE without Title", PagePush, title, "MissingTitle", "DeviceType", "ANDROID", "PushType", "MESSAGE", "Title", ""),
		bad("HARMONY without Title", PagePush, title, "MissingTitle", "DeviceType", "HARMONY", "Title", ""),
		bad("ALL without Title", PageSimulator, title+"; ALL includes Android: strict reading, required", "MissingTitle", "Title", ""),
		bad("iOS MESSAGE without Title", PageSimulator, "the current page is silent on iOS messages, an earlier one required a Title; strict reading: required",
			"MissingTitle", "DeviceType", "iOS", "PushType", "MESSAGE", "Title", ""),
		good("iOS NOTICE without Title", PagePush, title, "DeviceType", "iOS", "Title", ""),
		bad("Title of 201 bytes", PagePush, "Title length limit: 200 bytes; Invalid{ParameterName} 400", "InvalidTitle", "Title", strings.Repeat("题", 67)),
		good("Title of 200 bytes", PagePush, "Title length limit: 200 bytes", "Title", strings.Repeat("t", maxTitleBytes)),
		bad("Android message over 1800 bytes", PageLimits, "Android message: Title + Body <= 1800 B, a Chinese character 3 bytes", "InvalidBody",
			"DeviceType", "ANDROID", "PushType", "MESSAGE", "Body", long),
		bad("iOS notice over 1800 bytes", PageLimits, "iOS notification: content + iOSMusic + iOSBadge + iOSExtParameters <= 1800 B", "InvalidBody",
			"DeviceType", "iOS", "Body", "b", "iOSExtParameters", `{"k":"`+strings.Repeat("x", maxContentBytes)+`"}`),
		bad("iOSBadge with iOSBadgeAutoIncrement", PagePush, "if iOSBadgeAutoIncrement is true, iOSBadge must be empty", "InvalidiOSBadge",
			"iOSBadge", "3", "iOSBadgeAutoIncrement", "true"),
		good("iOSBadgeAutoIncrement alone", PagePush, "iOSBadgeAutoIncrement true, iOSBadge empty", "iOSBadgeAutoIncrement", "true"),
		bad("iOSApnsEnv TEST", PagePush, "iOSApnsEnv is DEV or PRODUCT", "InvalidiOSApnsEnv", "iOSApnsEnv", "TEST"),
		bad("AndroidOpenType BROWSER", PagePush, "AndroidOpenType is APPLICATION, ACTIVITY, URL or NONE", "InvalidAndroidOpenType", "AndroidOpenType", "BROWSER"),
		bad("AndroidNotifyType LOUD", PagePush, "AndroidNotifyType is VIBRATE, SOUND, BOTH or NONE", "InvalidAndroidNotifyType", "AndroidNotifyType", "LOUD"),
		bad("SendChannels with sms", PagePush, "SendChannels takes accs, huawei, honor, xiaomi, oppo, vivo, meizu, gcm, fcm, apns, harmony", "InvalidSendChannels",
			"SendChannels", "accs,sms"),
		bad("AndroidOpenType ACTIVITY without AndroidActivity", PageSimulator, "AndroidActivity is only passed for ACTIVITY; docs silent on it missing, strict reading: required",
			"MissingAndroidActivity", "AndroidOpenType", "ACTIVITY"),
		bad("AndroidOpenType URL without AndroidOpenUrl", PageSimulator, "AndroidOpenUrl is only passed for URL; strict reading: required",
			"MissingAndroidOpenUrl", "AndroidOpenType", "URL"),
		bad("AndroidPopupActivity without AndroidPopupTitle", PagePush, "AndroidPopupTitle is required when AndroidPopupActivity is not empty",
			"MissingAndroidPopupTitle", "AndroidPopupActivity", "com.example.Popup", "AndroidPopupBody", "b"),
		bad("AndroidPopupTitle of 51 characters", PagePush, "AndroidPopupTitle length limit: 50 characters", "InvalidAndroidPopupTitle",
			"AndroidPopupTitle", strings.Repeat("弹", maxPopupTitleChars+1)),
		bad("JobKey of 33 characters", PagePush, "JobKey: letters, digits, _ and -, at most 32 characters", "InvalidJobKey", "JobKey", strings.Repeat("j", 33)),
		bad("JobKey with a dot", PagePush, "JobKey: letters, digits, _ and - only", "InvalidJobKey", "JobKey", "job.1"),
		good("JobKey of 32 characters", PagePush, "JobKey: letters, digits, _ and -, at most 32 characters", "JobKey", "job_key-"+strings.Repeat("0", 24)),
		bad("AndroidExtParameters a JSON array", PagePush, "must be passed in JSON map format; Invalid%s.Format 400 (PagePushV2)", "InvalidAndroidExtParameters.Format",
			"AndroidExtParameters", "[1,2]"),
		bad("iOSExtParameters not JSON", PagePush, "must be passed in JSON map format", "InvalidiOSExtParameters.Format", "iOSExtParameters", "k=v"),
		bad("StoreOffline yes", PagePushV2, "a boolean; Invalid%s.Format 400", "InvalidStoreOffline.Format", "StoreOffline", "yes"),
		bad("AndroidNotificationBarType 0", PagePush, "AndroidNotificationBarType value range: 1-100", "InvalidAndroidNotificationBarType",
			"AndroidNotificationBarType", "0"),
		bad("IdempotentToken not a UUID", PagePush, "IdempotentToken is a 36-character UUID", "InvalidIdempotentToken.Format", "IdempotentToken", "token-1"),
	}
}
