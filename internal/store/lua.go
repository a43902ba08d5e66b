package store

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// luaNames are the names a script may write as @name: each becomes the Lua
// string of the Go constant, so that a field or status name is written in
// one place. A script naming anything else panics at start.
var luaNames = map[string]string{
	"status":           FieldStatus,
	"chunks":           FieldChunks,
	"cancel":           FieldCancel,
	"created_ms":       FieldCreatedAt,
	"finished_ms":      FieldFinishedAt,
	"owner":            FieldOwner,
	"staging":          StatusStaging,
	"running":          StatusRunning,
	"finishing":        StatusFinishing,
	"completed":        StatusCompleted,
	"failed":           StatusFailed,
	"cancelled":        StatusCancelled,
	"p_pushed":         ProgressPushed,
	"p_failed":         ProgressFailed,
	"p_failed_prefix":  FailedPrefix,
	"p_cancelled":      ProgressCancelled,
	"p_dups":           ProgressPossibleDuplicates,
	"p_chunks_done":    ProgressChunksDone,
	"q_used":           quotaUsed,
	"q_expires":        quotaExpires,
	"q_ref_prefix":     quotaRefPrefix,
	"q_epoch":          quotaEpoch,
	"unit_calls":       UnitCalls,
	"r_expired":        ReasonExpired,
	"r_over_limit":     ReasonOverLimit,
	"r_new_epoch":      ReasonNewEpoch,
	"b_factor":         backoffFactor,
	"b_cut":            backoffCut,
	"br_open":          breakerOpenUntil,
	"br_probe":         breakerProbeUntil,
	"br_interval":      breakerInterval,
	"o_cancelled":      OutcomeCancelled,
	"closed_completed": ClosedCompleted,
	"queued":           StatusQueued,
	"inflight":         FieldDirectInflight,
	"path":             FieldPath,
	"unique":           FieldUnique,
	"s_width":          SeriesWidth,
	"s_start":          SeriesStart,
	"d_refreshed":      DeliveryRefreshed,
	"d_passes":         DeliveryPasses,
	"d_error":          DeliveryError,
	"d_next":           DeliveryNext,
	"d_round":          DeliveryRound,
	"inflight_prefix":  inflightPrefix,
}

var luaName = regexp.MustCompile(`@([a-z_]+)`)

// newScript returns the script of src with every @name replaced by the Lua
// string of its Go constant.
func newScript(src string) *redis.Script {
	out := luaName.ReplaceAllStringFunc(src, func(m string) string {
		v, ok := luaNames[m[1:]]
		if !ok {
			panic(fmt.Sprintf("store: script names unknown %s", m))
		}
		return strconv.Quote(v)
	})
	return redis.NewScript(out)
}
