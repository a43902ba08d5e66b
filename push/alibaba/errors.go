package alibaba

import (
	"errors"
	"net"
	"net/http"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/cpush/cpush/push"
)

// convertError turns an SDK error into a *push.Error with its class.
func convertError(action string, err error) error {
	return convertCallError(action, action == push.ActionContinuouslyPush, err)
}

// convertCallError turns an SDK error of a call that delivers (a
// ContinuouslyPush, or a Push to targets) or not into a *push.Error: only
// a call that delivers can be ambiguous.
func convertCallError(action string, delivers bool, err error) error {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return serverError(action, delivers, se)
	}
	var ce *sdkerrors.ClientError
	if errors.As(err, &ce) {
		return clientError(action, delivers, ce)
	}
	return networkError(action, delivers, err)
}

// serverError is an answer with an error status. Its message is the
// service's own Message; the SDK's Error() text is not used, since it
// carries the string to sign.
func serverError(action string, delivers bool, se *sdkerrors.ServerError) error {
	code, status := se.ErrorCode(), se.HttpStatus()
	return &push.Error{
		Action:     action,
		Class:      push.ClassifyCode(code, status),
		Code:       code,
		Message:    se.Message(),
		HTTPStatus: status,
		RequestID:  se.RequestId(),
		Ambiguous:  delivers && push.AmbiguousCode(code, status),
	}
}

// clientError is an SDK-side failure: the answer could not be read (it may
// still have been carried out) or the request could not be built.
func clientError(action string, delivers bool, ce *sdkerrors.ClientError) error {
	if ce.ErrorCode() == sdkerrors.JsonUnmarshalErrorCode {
		return &push.Error{Action: action, Class: push.ClassTransient, Code: ce.ErrorCode(),
			Message: ce.Message(), HTTPStatus: http.StatusOK, Ambiguous: delivers, Err: ce}
	}
	if origin := ce.OriginError(); origin != nil {
		return networkError(action, delivers, origin)
	}
	return &push.Error{Action: action, Class: push.ClassPermanent, Code: ce.ErrorCode(), Message: ce.Message(), Err: ce}
}

// networkError is a call that got no answer. It is ambiguous unless the
// connection was never made: the request may have reached the service.
func networkError(action string, delivers bool, err error) error {
	return &push.Error{
		Action:    action,
		Class:     push.ClassTransient,
		Code:      push.CodeNetwork,
		Message:   err.Error(),
		Ambiguous: delivers && !isDialError(err),
		Err:       err,
	}
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
