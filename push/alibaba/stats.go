package alibaba

import (
	"context"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkpush "github.com/aliyun/alibaba-cloud-sdk-go/services/push"

	"github.com/cpush/cpush/push"
)

// QueryStats asks for a message's delivery statistics with
// QueryPushStatByMsg. The answer's PushStats.PushStat list holds the
// message's entry; an answer without one (no data yet) is all zeros.
func (c *Client) QueryStats(ctx context.Context, appKey int64, messageID string) (push.Stats, error) {
	req := sdkpush.CreateQueryPushStatByMsgRequest()
	c.prepare(req.RpcRequest)
	req.AppKey = requests.NewInteger64(appKey)
	req.MessageId = requests.Integer(messageID)
	var stats push.Stats
	_, err := c.call(ctx, push.ActionQueryPushStatByMsg, func(sdkc *sdkpush.Client) (string, error) {
		resp, err := sdkc.QueryPushStatByMsg(req)
		if err != nil {
			return "", err
		}
		stats = statsOf(messageID, resp.PushStats.PushStat)
		return resp.RequestId, nil
	})
	return stats, err
}

// statsOf returns the counts of messageID's entry in list: the sum of the
// entries that name it, or of all entries when none names any MessageId.
func statsOf(messageID string, list []sdkpush.PushStat) push.Stats {
	var out push.Stats
	for _, p := range list {
		if p.MessageId != "" && p.MessageId != messageID {
			continue
		}
		out = out.Add(push.Stats{
			Accepted: p.AcceptCount, Sent: p.SentCount, Received: p.ReceivedCount, Opened: p.OpenedCount,
			Deleted: p.DeletedCount, SMSSent: p.SmsSentCount, SMSSkipped: p.SmsSkipCount, SMSFailed: p.SmsFailedCount,
			SMSReceived: p.SmsReceiveSuccessCount, SMSReceiveFailed: p.SmsReceiveFailedCount,
		})
	}
	return out
}
