package push

import "time"

// Stats are the delivery statistics of one MessageId as QueryPushStatByMsg
// answers them (help.aliyun.com document 2249932, "QueryPushStatByMsg";
// the Chinese page 48097 words each count). Every count is the service's
// own; cpush only adds them up. The page notes that push data shows the
// next day: counts of the current day may be 0 or partial.
type Stats struct {
	// Accepted is AcceptCount: the pushes the push server received
	// (推送服务端接收到的推送数目).
	Accepted int64 `json:"accepted"`
	// Sent is SentCount: the messages the push server actually sent
	// (推送服务端实际发出的数目).
	Sent int64 `json:"sent"`
	// Received is ReceivedCount: the messages actually delivered to devices
	// (实际送达到设备的数目).
	Received int64 `json:"received"`
	// Opened is OpenedCount: the notifications opened (clicked) on devices
	// (通知在设备上被点击的数目).
	Opened int64 `json:"opened"`
	// Deleted is DeletedCount: the notifications cleared on devices
	// (通知在设备上被清除的数目).
	Deleted int64 `json:"deleted"`
	// The SMS counts of a composite push (short message as a fallback);
	// the page marks them optional. SMSSent is SmsSentCount, the text
	// messages sent; SMSSkipped SmsSkipCount, those skipped (no mobile
	// number bound, say); SMSFailed SmsFailedCount, those that failed to
	// send (service not activated, not authorized, bad parameters);
	// SMSReceived SmsReceiveSuccessCount, those received; and
	// SMSReceiveFailed SmsReceiveFailedCount, those sent but not received.
	SMSSent          int64 `json:"sms_sent"`
	SMSSkipped       int64 `json:"sms_skipped"`
	SMSFailed        int64 `json:"sms_failed"`
	SMSReceived      int64 `json:"sms_received"`
	SMSReceiveFailed int64 `json:"sms_receive_failed"`
}

// NumStats is the number of counts in Stats.
const NumStats = 10

// StatNames are the names of Stats' counts in the order of Values: their
// JSON names, and the result label of cpush's delivery metric.
var StatNames = [NumStats]string{"accepted", "sent", "received", "opened", "deleted",
	"sms_sent", "sms_skipped", "sms_failed", "sms_received", "sms_receive_failed"}

// Values returns the counts in the order of StatNames.
func (s Stats) Values() [NumStats]int64 {
	return [NumStats]int64{s.Accepted, s.Sent, s.Received, s.Opened, s.Deleted,
		s.SMSSent, s.SMSSkipped, s.SMSFailed, s.SMSReceived, s.SMSReceiveFailed}
}

// StatsOf returns the Stats whose Values are v.
func StatsOf(v [NumStats]int64) Stats {
	return Stats{Accepted: v[0], Sent: v[1], Received: v[2], Opened: v[3], Deleted: v[4],
		SMSSent: v[5], SMSSkipped: v[6], SMSFailed: v[7], SMSReceived: v[8], SMSReceiveFailed: v[9]}
}

// Add returns the sum of s and o, count by count.
func (s Stats) Add(o Stats) Stats {
	a, b := s.Values(), o.Values()
	for i := range a {
		a[i] += b[i]
	}
	return StatsOf(a)
}

// DefaultStatsSchedule returns when cpush asks for a job's statistics by
// default, as offsets from the job's end: soon after it, then at growing
// intervals over the 24 hours a stored message lives, the last when the
// service shows the day's data (the page: push data shows the next day).
func DefaultStatsSchedule() []time.Duration {
	return []time.Duration{time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}
}
