package alibaba

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/cpush/cpush/push"
)

// convertError turns an SDK error into a *push.Error with its class. No
// text of the result quotes the signed request: its URL holds the
// AccessKey ID, the STS token, the signature, the message and the
// targets, and the error reaches logs and asynq's stored last error,
// which the UI shows.
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
// service's own Message, without the string to sign that a signature
// error quotes; the SDK's Error() text is not used, since it carries the
// client's string to sign too.
func serverError(action string, delivers bool, se *sdkerrors.ServerError) error {
	code, status := se.ErrorCode(), se.HttpStatus()
	return &push.Error{
		Action:     action,
		Class:      push.ClassifyCode(code, status),
		Code:       code,
		Message:    redactMessage(se.Message()),
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
			Message: redactMessage(ce.Message()), HTTPStatus: http.StatusOK, Ambiguous: delivers}
	}
	if origin := ce.OriginError(); origin != nil {
		return networkError(action, delivers, origin)
	}
	return &push.Error{Action: action, Class: push.ClassPermanent, Code: ce.ErrorCode(), Message: redactMessage(ce.Message())}
}

// networkError is a call that got no answer. It is ambiguous unless the
// connection was never made: the request may have reached the service.
// The *url.Error around err is replaced by the request's host.
func networkError(action string, delivers bool, err error) error {
	return &push.Error{
		Action:    action,
		Class:     push.ClassTransient,
		Code:      push.CodeNetwork,
		Message:   redactMessage(withoutURL(err)),
		Ambiguous: delivers && !isDialError(err),
		Err:       stripURL(err),
	}
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// withoutURL is err's text with a *url.Error's URL cut to its host:
// "Post 127.0.0.1:18600: dial tcp ...: connection refused".
func withoutURL(err error) string {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err.Error()
	}
	host := "(unparsable URL)"
	if u, perr := url.Parse(ue.URL); perr == nil {
		host = u.Host
	}
	return fmt.Sprintf("%s %s: %s", ue.Op, host, ue.Err)
}

// stripURL returns the error inside a *url.Error, whose own text quotes
// the URL; any other error as it is.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// stringToSign is where a signature error's message starts quoting the
// service's string to sign, which holds every parameter of the call.
const stringToSign = "string to sign is:"

// urlPattern matches a URL with a query, which a message may quote.
var urlPattern = regexp.MustCompile(`(?i)\bhttps?://[^\s"'?]*\?[^\s"']*`)

// maxMessageBytes bounds a message kept from the service or the SDK (an
// error page from a proxy can be large).
const maxMessageBytes = 1024

// redactMessage drops from msg the string to sign a signature error
// quotes, and the query of any URL, and bounds its length.
func redactMessage(msg string) string {
	if i := strings.Index(strings.ToLower(msg), stringToSign); i >= 0 {
		msg = msg[:i+len(stringToSign)] + " [redacted]"
	}
	msg = urlPattern.ReplaceAllStringFunc(msg, func(u string) string {
		return u[:strings.IndexByte(u, '?')] + "?[redacted]"
	})
	if len(msg) > maxMessageBytes {
		msg = strings.ToValidUTF8(msg[:maxMessageBytes], "") + "..."
	}
	return msg
}
