// Package pushapi is the old home of package push.
//
// Deprecated: import github.com/cpush/cpush/push instead. These aliases
// keep producers that import pushapi building for one release.
package pushapi

import "github.com/cpush/cpush/push"

// Deprecated aliases of package push's types.
type (
	Message        = push.Message
	IOSOptions     = push.IOSOptions
	AndroidOptions = push.AndroidOptions
	FieldError     = push.FieldError
	Service        = push.Service
	Result         = push.Result
	Error          = push.Error
	Class          = push.Class
)

// Deprecated aliases of package push's constants.
const (
	TargetDevice      = push.TargetDevice
	TargetAccount     = push.TargetAccount
	TargetAlias       = push.TargetAlias
	TargetTBD         = push.TargetTBD
	DefaultPushType   = push.DefaultPushType
	DefaultDeviceType = push.DefaultDeviceType
	MaxTargetsPerCall = push.MaxTargetsPerCall
	UnitTargets       = push.UnitTargets
	UnitCalls         = push.UnitCalls
)
