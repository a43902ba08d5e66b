package pushsim

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"
)

// statModel turns what the simulator delivered into QueryPushStatByMsg's
// counts.
type statModel struct {
	received, opened float64       // shares, 0..1
	settle           time.Duration // message clock after the last delivery
}

// PushStat is one entry of QueryPushStatByMsg's answer, in the JSON shape
// the SDK's push.PushStat decodes (PageQueryPushStatByMsg: PushStats.PushStat[]).
type PushStat struct {
	MessageId              string // the SDK's field is a string
	AcceptCount            int64  // target values accepted, duplicates included
	SentCount              int64  // distinct targets delivered
	ReceivedCount          int64  // floor(SentCount × received share), 0 before the settle delay
	OpenedCount            int64  // floor(ReceivedCount × opened share), 0 before the settle delay
	DeletedCount           int64  // always 0
	SmsSentCount           int64  // always 0: no SMS
	SmsSkipCount           int64  // always 0
	SmsFailedCount         int64  // always 0
	SmsReceiveSuccessCount int64  // always 0
	SmsReceiveFailedCount  int64  // always 0
}

// pushStatAnswer is QueryPushStatByMsg's success body.
type pushStatAnswer struct {
	RequestId string
	PushStats struct{ PushStat []PushStat }
}

// SetStatModel sets the shares QueryPushStatByMsg counts as received and
// opened (each clamped to 0..1; 0 means none, unlike Config's zero value)
// and its settle delay.
func (s *Server) SetStatModel(received, opened float64, settle time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stat = statModel{clamp(received), clamp(opened), max(settle, 0)}
}

// queryPushStatByMsg is the QueryPushStatByMsg action
// (PageQueryPushStatByMsg): AppKey and MessageId, both required integers
// (Missing{ParameterName}; PagePushV2, Invalid%s.Format). Docs silent on a
// MessageId the AppKey does not have; strict reading: refused like
// ContinuouslyPush refuses it (Codes.MessageNotFound). The page says push
// data shows the next day; the simulator shows it at once, and Received
// and Opened after Config.StatSettle.
func (s *Server) queryPushStatByMsg(c caller, p params) outcome {
	appKey, o, ok := appKeyOf(c, p)
	if !ok {
		return o
	}
	if o, ok := require(p, "MessageId"); !ok {
		return o
	}
	id := p.get("MessageId")
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return badFormat("MessageId", "%q is not an integer", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messages[id]
	if m == nil || m.appKey != appKey {
		return violating(failAs(s.cfg.Codes.MessageNotFound, "MessageId %s is not a message of AppKey %d.", id, appKey))
	}
	st := s.pushStat(id, m)
	return outcome{status: http.StatusOK, payload: func(rid string) []byte {
		a := pushStatAnswer{RequestId: rid}
		a.PushStats.PushStat = []PushStat{st}
		b, _ := json.Marshal(a)
		return b
	}}
}

// pushStat computes the counts of message id; s.mu must be held.
//
// SentCount is the distinct targets delivered, AcceptCount every value
// accepted. Until StatSettle has passed on the message clock since the
// last delivery, ReceivedCount and OpenedCount are 0; then ReceivedCount
// is floor(SentCount × received share) and OpenedCount floor(ReceivedCount
// × opened share), each as math.Floor(float64(n)*share + 1e-9).
func (s *Server) pushStat(id string, m *message) PushStat {
	st := PushStat{MessageId: id, AcceptCount: int64(m.targets), SentCount: int64(m.sent())}
	if s.settled(m) {
		st.ReceivedCount = share(st.SentCount, s.stat.received)
		st.OpenedCount = share(st.ReceivedCount, s.stat.opened)
	}
	return st
}

// settled reports whether m's counts have settled; s.mu must be held.
func (s *Server) settled(m *message) bool {
	if s.stat.settle <= 0 {
		return true
	}
	return !m.lastDelivery.IsZero() && s.now().Sub(m.lastDelivery) >= s.stat.settle
}

// share returns floor(n × f), with room for float rounding.
func share(n int64, f float64) int64 {
	return int64(math.Floor(float64(n)*f + 1e-9))
}
