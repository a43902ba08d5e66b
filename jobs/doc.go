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
// Every target of an accepted job ends pushed, failed with a code, or
// cancelled, and Status counts each.
//
// Bad input is refused by Enqueue before anything is written, with a
// *FieldError naming the field and the rule. Limits on target values, in
// bytes: DEVICE 64, ACCOUNT 64, ALIAS 128; no commas or whitespace.
//
// A Job.ID is an idempotency key: a second Enqueue with the same ID fails
// with ErrDuplicateJob and sends nothing twice.
//
// EnqueueSeq takes the targets as a sequence (an upload, a file) instead of
// a slice, holding only the unique ones. List pages through the recent
// jobs, newest first, and Failed gives the failed targets of a job with
// their codes, to send again.
//
// A job with a WebhookURL is POSTed its final Summary when it ends, signed
// with HMAC-SHA256 in the SignatureHeader; receivers check it with
// VerifyWebhook.
//
// After a job ends, workers ask the service what became of its pushes
// (QueryPushStatByMsg, per MessageId), soon after the end and again over
// the next 24 hours: Status carries the totals (Delivery), Client.Delivery
// gives them per MessageId, and RefreshDelivery asks for them now. Series
// gives the targets pushed over time, and Tasks the job's tasks that
// asynq holds, for its web UI.
package jobs
