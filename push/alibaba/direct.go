package alibaba

import (
	"context"
	"net/http"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkpush "github.com/aliyun/alibaba-cloud-sdk-go/services/push"

	"github.com/cpush/cpush/push"
)

// PushTargets sends msg to values with one Push call whose Target and
// TargetValue name them: the service delivers at once and answers the
// MessageId of the delivery. A failure after the request may have reached
// the service is ambiguous, as a ContinuouslyPush's is.
func (c *Client) PushTargets(ctx context.Context, appKey int64, msg push.Message, target string, values []string) (push.Result, error) {
	req := sdkpush.CreatePushRequest()
	c.prepare(req.RpcRequest)
	req.AppKey = requests.NewInteger64(appKey)
	for k, v := range msg.Params() {
		req.QueryParams[k] = v
	}
	req.Target = target
	req.TargetValue = strings.Join(values, ",")
	var mid string
	res, err := c.callDelivering(ctx, push.ActionPush, true, func(sdkc *sdkpush.Client) (string, error) {
		resp, err := sdkc.Push(req)
		if err != nil {
			return "", err
		}
		mid = resp.MessageId
		return resp.RequestId, nil
	})
	if err == nil && mid == "" {
		// Delivered, most likely, but with no MessageId to record: the
		// retry may deliver again.
		return res, &push.Error{Action: push.ActionPush, Class: push.ClassTransient, Code: "EmptyMessageId",
			Message: "Push answered without a MessageId", RequestID: res.RequestID, HTTPStatus: http.StatusOK, Ambiguous: true}
	}
	res.MessageID = mid
	return res, err
}
