package store

import (
	"fmt"
	"strconv"
)

// Keys builds cpush's Redis keys under one prefix (see the package doc).
type Keys struct{ Prefix string }

func (k Keys) job(id, name string) string { return k.Prefix + ":{j:" + id + "}:" + name }

// Meta is the job's hash: spec, status, chunk count, flags, timestamps.
func (k Keys) Meta(id string) string { return k.job(id, "meta") }

// Chunks is the hash of packed target chunks: index -> PackChunk.
func (k Keys) Chunks(id string) string { return k.job(id, "chunks") }

// Done is the hash of finished chunks: index -> Outcome.String.
func (k Keys) Done(id string) string { return k.job(id, "done") }

// Progress is the hash of the job's counters.
func (k Keys) Progress(id string) string { return k.job(id, "progress") }

// Messages is the hash of the job's current MessageId per message number
// (content mode): n -> "<mid>|<created ms>".
func (k Keys) Messages(id string) string { return k.job(id, "slots") }

// MessageIDs is the hash of every MessageId the job created: mid -> n.
func (k Keys) MessageIDs(id string) string { return k.job(id, "mids") }

// Closed is the hash of the job's MessageIds that finishing dealt with:
// mid -> ClosedCompleted or ClosedGone.
func (k Keys) Closed(id string) string { return k.job(id, "closed") }

// Ambiguous is the hash of chunks whose push may have been delivered
// although it failed: index -> number of such attempts.
func (k Keys) Ambiguous(id string) string { return k.job(id, "amb") }

// Delivery is the hash of the job's delivery statistics: the totals over
// its MessageIds (CountFields) and the Delivery* fields.
func (k Keys) Delivery(id string) string { return k.job(id, "delivery") }

// DeliveryMessages is the hash of the job's delivery statistics per
// MessageId: mid -> PackMessageStats.
func (k Keys) DeliveryMessages(id string) string { return k.job(id, "delivery:mids") }

// Series is the hash of the job's pushed targets over time: SeriesWidth,
// SeriesStart and one field per time bucket (its start, unix seconds).
func (k Keys) Series(id string) string { return k.job(id, "series") }

// MessageLock is the lock held while message n's MessageId is created.
func (k Keys) MessageLock(id string, n int) string { return k.job(id, "lock:"+strconv.Itoa(n)) }

// JobKeys returns every key of a job but its locks, for expiry and clean-up.
func (k Keys) JobKeys(id string) []string {
	return []string{k.Meta(id), k.Chunks(id), k.Done(id), k.Progress(id), k.Messages(id),
		k.MessageIDs(id), k.Closed(id), k.Ambiguous(id), k.Series(id), k.Delivery(id), k.DeliveryMessages(id)}
}

// Quota is the hash that counts a MessageId's pushes: used, expires_ms and
// one reservation per chunk attempt.
func (k Keys) Quota(appKey int64, messageID string) string {
	return fmt.Sprintf("%s:{m:%d:%s}", k.Prefix, appKey, messageID)
}

// MessageStats is the hash of the delivery statistics last seen of a
// MessageId, whichever jobs pushed it (CountFields): what the delivery
// metric has counted of it.
func (k Keys) MessageStats(appKey int64, messageID string) string {
	return k.Quota(appKey, messageID) + ":stats"
}

// Recent is the sorted set of job IDs by creation time (ms).
func (k Keys) Recent() string { return k.Prefix + ":jobs" }

// Rate is the key of the shared rate limiter for an account and action.
func (k Keys) Rate(account, action string) string {
	return k.Prefix + ":rate:{" + account + "}:" + action
}

// Breaker is the hash of an account's circuit breaker: open while most of
// its calls find the service down.
func (k Keys) Breaker(account string) string {
	return k.Prefix + ":rate:{" + account + "}:breaker"
}

// RateBackoff is the hash that slows an account's action down after the
// service throttled it: factor and cut_ms.
func (k Keys) RateBackoff(account, action string) string {
	return k.Rate(account, action) + ":backoff"
}

// Active is the sorted set of the jobs not known to have ended, by
// creation time (ms): what the rescue sweep looks through (Store.Sweep).
func (k Keys) Active() string { return k.Prefix + ":active" }

// Sweep is the hash of what the rescue sweep last saw of each active job:
// id -> "<signature>|<since ms>" (Store.Sweep).
func (k Keys) Sweep() string { return k.Prefix + ":sweep" }

// SweepLock is held by the worker whose turn it is to sweep.
func (k Keys) SweepLock() string { return k.Prefix + ":sweep:lock" }
