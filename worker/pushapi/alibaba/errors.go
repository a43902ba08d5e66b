package alibaba

import (
	"errors"
	"net"
	"net/http"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/cpush/cpush/worker/pushapi"
)

// convertError turns an SDK error into a *pushapi.Error with its class.
func convertError(action string, err error) error {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return serverError(action, se)
	}
	var ce *sdkerrors.ClientError
	if errors.As(err, &ce) {
		return clientError(action, ce)
	}
	return networkError(action, err)
}

// serverError is an answer with an error status. Its message is the
// service's own Message; the SDK's Error() text is not used, since it
// carries the string to sign.
func serverError(action string, se *sdkerrors.ServerError) error {
	code, status := se.ErrorCode(), se.HttpStatus()
	return &pushapi.Error{
		Action:     action,
		Class:      pushapi.ClassifyCode(code, status),
		Code:       code,
		Message:    se.Message(),
		HTTPStatus: status,
		RequestID:  se.RequestId(),
		Ambiguous:  action == pushapi.ActionContinuouslyPush && pushapi.AmbiguousCode(code, status),
	}
}

// clientError is an SDK-side failure: the answer could not be read (it may
// still have been carried out) or the request could not be built.
func clientError(action string, ce *sdkerrors.ClientError) error {
	if ce.ErrorCode() == sdkerrors.JsonUnmarshalErrorCode {
		return &pushapi.Error{Action: action, Class: pushapi.ClassTransient, Code: ce.ErrorCode(),
			Message: ce.Message(), HTTPStatus: http.StatusOK, Ambiguous: action == pushapi.ActionContinuouslyPush, Err: ce}
	}
	if origin := ce.OriginError(); origin != nil {
		return networkError(action, origin)
	}
	return &pushapi.Error{Action: action, Class: pushapi.ClassPermanent, Code: ce.ErrorCode(), Message: ce.Message(), Err: ce}
}

// networkError is a call that got no answer. It is ambiguous unless the
// connection was never made: the request may have reached the service.
func networkError(action string, err error) error {
	return &pushapi.Error{
		Action:    action,
		Class:     pushapi.ClassTransient,
		Code:      pushapi.CodeNetwork,
		Message:   err.Error(),
		Ambiguous: action == pushapi.ActionContinuouslyPush && !isDialError(err),
		Err:       err,
	}
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
