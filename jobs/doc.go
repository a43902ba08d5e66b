// Package jobs is what producers import to hand push jobs to cpush.
//
// A Job is one message for a set of targets (device IDs, accounts or
// aliases; any number). Client.Enqueue validates it, removes duplicate
// targets, stages them in Redis as packed chunks of at most 1,000 and
// enqueues one plan task; cpush workers (package worker) then push every
// chunk through ContinuouslyPush within the service's rules. Status reports
// progress and Cancel stops a job.
//
// Two modes:
//
//   - Content mode (Job.Message): cpush stores the message with
//     Push(Target=TBD) itself, as many times as the targets need: one
//     MessageId per 10,000 pushes (the service's limit per MessageId).
//   - Message-id mode (Job.MessageID): the producer already called Push with
//     Target=TBD. cpush keeps that MessageId within its 10,000 pushes and 24
//     hours, shared by every job that uses it, and reports the targets over
//     either as failed with the reason (MessageLimitExceeded, MessageExpired).
//
// A content-mode job whose unique targets fit one Push call of its target
// type (1,000 device IDs, accounts or aliases: push.MaxPushTargets) takes
// the direct path: one Push call that names its targets, with no stored
// message, ContinuouslyPush or completion, in one worker task. Plan.Path
// and Status.Path say which path a job takes; Options.NoDirect turns the
// direct path off.
//
// Every target of an accepted job ends pushed, failed with a code, or
// cancelled, and Status counts each.
//
// Bad input is refused by Enqueue before anything is written, with a
// *FieldError naming the field and the rule. A DEVICE value is a device
// ID, 32 digits and lower-case letters; an ACCOUNT value is at most 64
// bytes and an ALIAS value 128; every value is valid UTF-8 without commas,
// whitespace or control characters. A MessageID is digits; a Message is at
// most MaxMessageBytes (64 KiB) encoded as JSON.
//
// A Job.ID is an idempotency key: a second Enqueue with the same ID fails
// with ErrDuplicateJob and sends nothing twice.
//
// EnqueueMany enqueues up to MaxBatchJobs jobs at once, in a few round
// trips to Redis, each validated on its own, with one Result per job.
//
// EnqueueSeq takes the targets as a sequence (an upload, a file) instead of
// a slice, holding only the unique ones. List pages through the recent
// jobs, newest first, and Failed gives the failed targets of a job with
// their codes, to send again.
//
// A job with a WebhookURL is POSTed its final Summary when it ends, signed
// with HMAC-SHA256 over the time, the delivery ID, the URL and the body in
// the SignatureHeader; receivers check it with VerifyWebhook and their own
// URL, so that a delivery replayed to another receiver fails.
//
// After a job ends, workers ask the service what became of its pushes
// (QueryPushStatByMsg, per MessageId), soon after the end and again over
// the next 24 hours: Status carries the totals (Delivery), Client.Delivery
// gives them per MessageId, and RefreshDelivery asks for them now. Series
// gives the targets pushed over time, and Tasks the job's tasks that
// asynq holds, for its web UI.
package jobs
