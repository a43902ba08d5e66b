package pushsim

import "time"

// Codes the simulator answers with that package push does not name.
// For every other condition it uses package push's Code constants.
const (
	// CodeInvalidAction (404) answers an Action the API does not have.
	CodeInvalidAction = "InvalidAction.NotFound"
	// CodeInvalidTimeStampFormat (400) answers a Timestamp that is not
	// ISO 8601 UTC ("2006-01-02T15:04:05Z").
	CodeInvalidTimeStampFormat = "InvalidTimeStamp.Format"
	// CodeIncompleteSignature (400) answers a SignatureMethod other than
	// HMAC-SHA1 or a SignatureVersion other than 1.0.
	CodeIncompleteSignature = "IncompleteSignature"
	// CodeInvalidVersion (400) answers a Version other than 2016-08-01.
	CodeInvalidVersion = "InvalidVersion"
	// CodeMissingPrefix prefixes the parameter name in the code (400) that
	// answers a missing required parameter, as in "MissingSignature".
	CodeMissingPrefix = "Missing"
)

// Keys of Stats.Calls[action] that are not error codes.
const (
	// StatOK counts successful calls.
	StatOK = "OK"
	// StatDropped counts calls whose connection was closed with no answer
	// (an ambiguous fault in AmbiguousDrop mode; the call delivered).
	StatDropped = "ConnectionDropped"
)

// The API's fixed parameters.
const (
	// APIVersion is the only Version the simulator accepts.
	APIVersion = "2016-08-01"
	// SignatureMethod is the only SignatureMethod it accepts.
	SignatureMethod = "HMAC-SHA1"
	// SignatureVersion is the only SignatureVersion it accepts.
	SignatureVersion = "1.0"
	// TimestampLayout is the layout of the Timestamp parameter.
	TimestampLayout = "2006-01-02T15:04:05Z"
	// MaxClockSkew is how far a Timestamp may be from the real clock.
	MaxClockSkew = 15 * time.Minute
	// NonceWindow is how long a SignatureNonce may not be used again.
	NonceWindow = 15 * time.Minute
)
