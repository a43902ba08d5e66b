// Package alibaba is the old home of package push/alibaba.
//
// Deprecated: import github.com/cpush/cpush/push/alibaba instead.
package alibaba

import "github.com/cpush/cpush/push/alibaba"

// Deprecated aliases of package push/alibaba's names.
type (
	Client = alibaba.Client
	Config = alibaba.Config
)

// New is push/alibaba.New.
//
// Deprecated: use github.com/cpush/cpush/push/alibaba.New.
var New = alibaba.New
