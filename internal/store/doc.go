// Package store owns cpush's state in Redis: every key, hash field, packed
// format, task payload and Lua script, behind typed methods. The producer
// (package jobs) and the workers (package worker) both go through it;
// nothing else names a key or a field.
//
// # Keys
//
// Every key of a job carries the hash tag {j:<id>}, every key of a shared
// MessageId the tag {m:<appkey>:<mid>} and every key of an account's shared
// rate the tag {<account>}, so each script touches one Redis Cluster slot.
// Key names, fields, payloads and task type names are a wire contract
// between producers and workers of different versions: add, never rename.
//
//	<p>:{j:<id>}:meta       hash    the job: spec, status, counts, flags (Field*)
//	<p>:{j:<id>}:chunks     hash    chunk index -> its targets, packed (PackChunk)
//	<p>:{j:<id>}:done       hash    chunk index -> outcome (Outcome.String)
//	<p>:{j:<id>}:progress   hash    counters (Progress*)
//	<p>:{j:<id>}:slots      hash    content mode: message number -> "<mid>|<created ms>"
//	<p>:{j:<id>}:mids       hash    every MessageId the job created -> its message number
//	<p>:{j:<id>}:closed     hash    MessageId -> how finishing left it (Closed*)
//	<p>:{j:<id>}:amb        hash    chunk index -> attempts that may have been delivered
//	<p>:{j:<id>}:lock:<n>   string  the lock held while message n's MessageId is created
//	<p>:{j:<id>}:series     hash    pushed targets per time bucket (Series*, luaSample)
//	<p>:{j:<id>}:delivery   hash    delivery statistics: totals (CountFields), refreshes (Delivery*)
//	<p>:{j:<id>}:delivery:mids hash  MessageId -> its statistics (PackMessageStats)
//	<p>:{m:<appkey>:<mid>}  hash    a MessageId's pushes: used, expires_ms, r:<ref> reservations
//	<p>:{m:<appkey>:<mid>}:stats hash  its statistics as the delivery metric counted them
//	<p>:rate:{<acct>}:<act> string  the shared GCRA limiter (go-redis/redis_rate)
//	<p>:rate:{<acct>}:<act>:backoff hash  throttling backoff: factor, cut_ms
//	<p>:rate:{<acct>}:breaker hash  circuit breaker: open_until_ms, probe_until_ms, interval_ms
//	<p>:jobs                zset    job IDs by creation time (ms), trimmed to the job TTL
//
// (The slots key keeps its first name on the wire; the code calls the
// entries the job's messages.)
//
// A direct job (meta path = direct) has the same keys: one chunk, 0; its
// Push call's MessageId as message 0 in slots and mids, so that status and
// the delivery statistics see it as any content MessageId (it is never
// completed: nothing is stored to complete); and the meta's
// direct_inflight_ms while its call is in flight (direct.go).
package store
