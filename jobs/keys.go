package jobs

import (
	"fmt"
	"strconv"
)

// Keys builds cpush's Redis keys under one prefix. Every key of a job has the
// hash tag {j:<id>} and every key of a MessageId the tag {m:<appkey>:<mid>},
// so each Lua script touches one Redis Cluster slot. The names are a wire
// contract between producers and workers of different versions.
type Keys struct{ Prefix string }

func (k Keys) job(id, name string) string { return k.Prefix + ":{j:" + id + "}:" + name }

// Meta is the job's hash: spec, status, chunk count, timestamps.
func (k Keys) Meta(id string) string { return k.job(id, "meta") }

// Chunks is the hash of packed target chunks: index -> values joined by "\n".
func (k Keys) Chunks(id string) string { return k.job(id, "chunks") }

// Done is the hash of finished chunks: index -> outcome.
func (k Keys) Done(id string) string { return k.job(id, "done") }

// Progress is the hash of the job's counters.
func (k Keys) Progress(id string) string { return k.job(id, "progress") }

// Slots is the hash of the job's current MessageId per slot (content mode).
func (k Keys) Slots(id string) string { return k.job(id, "slots") }

// MessageIDs is the hash of every MessageId the job created: mid -> slot.
func (k Keys) MessageIDs(id string) string { return k.job(id, "mids") }

// Ambiguous is the hash of chunks whose push may have been delivered
// although it failed: index -> number of such attempts.
func (k Keys) Ambiguous(id string) string { return k.job(id, "amb") }

// SlotLock is the lock held while a slot's MessageId is created.
func (k Keys) SlotLock(id string, slot int) string { return k.job(id, "lock:"+strconv.Itoa(slot)) }

// JobKeys returns every key of a job, for expiry and clean-up.
func (k Keys) JobKeys(id string) []string {
	return []string{k.Meta(id), k.Chunks(id), k.Done(id), k.Progress(id), k.Slots(id), k.MessageIDs(id), k.Ambiguous(id)}
}

// Quota is the hash that counts a MessageId's pushes: used, expires_at and
// one reservation per chunk.
func (k Keys) Quota(appKey int64, messageID string) string {
	return fmt.Sprintf("%s:{m:%d:%s}", k.Prefix, appKey, messageID)
}

// Recent is the sorted set of job IDs by creation time (ms).
func (k Keys) Recent() string { return k.Prefix + ":jobs" }

// Rate is the key of the shared rate limiter for an account and action.
func (k Keys) Rate(account, action string) string {
	return k.Prefix + ":rate:{" + account + "}:" + action
}

// RateBackoff is the hash that slows an account's action down after the
// service throttled it: factor and cut_ms.
func (k Keys) RateBackoff(account, action string) string {
	return k.Rate(account, action) + ":backoff"
}
