package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/push"
)

// A job's delivery statistics: once it has ended, its MessageIds' figures
// are asked of the service (QueryPushStatByMsg) by push:stats tasks on a
// queue of their own with the lowest weight, at the job's end plus each
// offset of Options.StatsSchedule (the service settles its figures over
// the day after), and whenever a producer asks (jobs.RefreshDelivery).
// Each task is one pass over the job's MessageIds through the shared
// limiter, at the QueryStats rate; it records each answer as it comes, so
// a task that runs again goes on where it stopped. Whatever the
// statistics do, the job's status stays as it ended.

// statsParallelism bounds one task's QueryPushStatByMsg calls in flight;
// the shared limiter bounds their rate.
const statsParallelism = 4

// ended runs what follows a job's end, once or again after a failure:
// its first statistics refresh and its completion webhook, each enqueued
// once.
func (w *Worker) ended(ctx context.Context, st *store.State) error {
	if err := w.scheduleStats(ctx, st, 0); err != nil {
		return err
	}
	return w.enqueueWebhook(ctx, st.Job)
}

// scheduleStats enqueues refresh round of the job's statistics at the
// job's end plus the round's offset, if the schedule has that round and
// the job a MessageId. The round's task ID makes it once per job.
func (w *Worker) scheduleStats(ctx context.Context, st *store.State, round int) error {
	j := st.Job
	if len(st.MessageIDs) == 0 {
		return nil
	}
	if w.opts.StatsOff || round >= len(w.opts.StatsSchedule) {
		return w.store.SetNextRefresh(ctx, j.ID, round-1, time.Time{})
	}
	end := j.FinishedAt
	if end.IsZero() {
		end = time.Now() // ended by this very run
	}
	at := end.Add(w.opts.StatsSchedule[round])
	if err := w.store.SetNextRefresh(ctx, j.ID, round, at); err != nil {
		return err
	}
	return w.enqueue(ctx, store.TypeStats, store.StatsPayload{JobID: j.ID, Round: round, SinceMs: at.UnixMilli()},
		asynq.Queue(store.StatsQueue(w.opts.Prefix)), asynq.TaskID(store.StatsTaskID(j.ID, round)), asynq.ProcessAt(at),
		asynq.MaxRetry(store.StatsMaxRetry), asynq.Retention(w.opts.JobTTL))
}

// handleStats makes one pass over a job's MessageIds, asking the service
// for the figures of each not asked since the task's time, then records
// the pass, sends the stats webhook after the first, and enqueues the next
// scheduled round.
func (w *Worker) handleStats(ctx context.Context, p store.StatsPayload) error {
	st, err := w.store.ReadState(ctx, p.JobID)
	if err != nil {
		return err
	}
	j, err := w.newJob(st.Job)
	if err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	log := w.opts.Logger.With(logJob(j.ID), zap.Int("round", p.Round))
	if err := w.refreshStats(ctx, j, st.MessageIDs, time.UnixMilli(p.SinceMs)); err != nil {
		return w.retryPolicy(ctx, j.app, err, log)
	}
	passes, asOf, err := w.store.CompletePass(ctx, j.ID, st.MessageIDs)
	if err != nil || passes == 0 {
		return err
	}
	log.Info("delivery statistics refreshed", zap.Int("message_ids", len(st.MessageIDs)), zap.Time("as_of", asOf))
	if err := w.enqueueStatsWebhook(ctx, j.Job); err != nil {
		return err
	}
	if p.Round < 0 {
		return nil // asked for: the schedule goes on by itself
	}
	return w.scheduleStats(ctx, st, p.Round+1)
}

// refreshStats asks for the figures of each of mids not asked since since,
// statsParallelism at a time.
func (w *Worker) refreshStats(ctx context.Context, j *job, mids []string, since time.Time) error {
	_, known, err := w.store.ReadDelivery(ctx, j.ID)
	if err != nil {
		return err
	}
	fresh := make(map[string]bool, len(known))
	for _, m := range known {
		fresh[m.MessageID] = !m.At.Before(since)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(statsParallelism)
	for _, mid := range mids {
		if fresh[mid] {
			continue
		}
		g.Go(func() error { return w.refreshMessage(gctx, j, mid) })
	}
	return g.Wait()
}

// refreshMessage asks for MessageId mid's figures through the shared
// limiter, adds their growth to the delivery metric and records them with
// the job. A refusal about the MessageId itself (unknown to the service,
// not an integer, not allowed) is recorded as its answer; anything else
// is the task's to retry.
func (w *Worker) refreshMessage(ctx context.Context, j *job, mid string) error {
	if _, err := w.limiter.Wait(ctx, j.app, push.ActionQueryPushStatByMsg); err != nil {
		return err
	}
	start := time.Now()
	stats, err := j.app.Service.QueryStats(ctx, j.AppKey, mid)
	w.metrics.observeCall(push.ActionQueryPushStatByMsg, start, err)
	m := store.MessageStats{MessageID: mid, At: start}
	if err != nil {
		e, ok := push.AsError(err)
		if !ok || (e.Class != push.ClassPermanent && e.Class != push.ClassRollover) {
			return fmt.Errorf("asking for the statistics of MessageId %s of job %s: %w", mid, j.ID, err)
		}
		w.opts.Logger.Warn("the service gave no statistics for a MessageId", logJob(j.ID),
			zap.String("message_id", mid), zap.String("code", e.Code), zap.Error(e.WithClass(push.ClassPermanent)))
		m.Code = e.Code
	} else {
		m.Counts = store.Counts(stats.Values())
		grew, err := w.store.MergeMessageStats(ctx, j.AppKey, mid, m.Counts, start, w.opts.JobTTL)
		if err != nil {
			return err
		}
		w.metrics.delivered(j.AppKey, grew)
	}
	_, err = w.store.RecordDelivery(ctx, j.ID, m)
	return err
}

// enqueueStatsWebhook enqueues the stats webhook of an ended job that
// names a webhook URL, when Options.StatsWebhook asks for it. Its task ID,
// kept for JobTTL, makes it once per job: the first full pass sends it.
func (w *Worker) enqueueStatsWebhook(ctx context.Context, j *store.Job) error {
	if !w.opts.StatsWebhook || j.WebhookURL == "" || !store.Final(j.Status) {
		return nil
	}
	p := store.WebhookPayload{JobID: j.ID, Event: store.EventStats, DeliveryID: uuid.NewString()}
	return w.enqueue(ctx, store.TypeWebhook, p,
		asynq.Queue(store.WebhookQueue(w.opts.Prefix)), asynq.TaskID(store.StatsWebhookTaskID(j.ID)),
		asynq.MaxRetry(WebhookMaxRetry), asynq.Retention(w.opts.JobTTL))
}
