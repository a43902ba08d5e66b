package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/zap"

	"github.com/cpush/cpush/internal/store"
)

// sweepBatch is how many active jobs the sweep reads in one round trip.
const sweepBatch = 1000

// startSweep runs the rescue sweep (unless RescueAfter is negative) and
// returns what stops it.
func (w *Worker) startSweep() func() {
	if w.opts.RescueAfter < 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.sweep(ctx)
	}()
	return func() { cancel(); <-done }
}

// sweep runs the rescue sweep every half of RescueAfter until ctx ends:
// on one worker of the fleet at a time (store.TakeSweep), it looks at the
// active jobs (see internal/store/rescue.go) and rescues each that stayed
// as it was for RescueAfter.
func (w *Worker) sweep(ctx context.Context) {
	every := w.opts.RescueAfter / 2
	owner := sweepOwner()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if ok, err := w.store.TakeSweep(ctx, owner, every); err != nil || !ok {
			continue // Redis away: the next tick tries again
		}
		if err := w.sweepOnce(ctx, time.Now()); err != nil && ctx.Err() == nil {
			w.opts.Logger.Warn("rescue sweep", zap.Error(err))
		}
	}
}

func sweepOwner() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// sweepOnce looks at the active jobs created more than RescueAfter before
// now, sweepBatch at a time: it drops those that ended or are gone,
// records how far each other is, and rescues those that have not moved
// since the sweep saw them so RescueAfter ago or more.
func (w *Worker) sweepOnce(ctx context.Context, now time.Time) error {
	var ended []string
	defer func() {
		if len(ended) > 0 {
			w.store.Retire(ctx, ended...)
		}
	}()
	for offset := 0; ; offset += sweepBatch {
		jobs, err := w.store.Sweep(ctx, now.Add(-w.opts.RescueAfter), offset, sweepBatch)
		if err != nil {
			return err
		}
		gone, err := w.sweepJobs(ctx, now, jobs)
		ended = append(ended, gone...)
		if err != nil || len(jobs) < sweepBatch {
			return err
		}
	}
}

// sweepJobs is sweepOnce for one batch of jobs; it returns those that
// ended or are gone.
func (w *Worker) sweepJobs(ctx context.Context, now time.Time, jobs []store.Swept) ([]string, error) {
	var ended []string
	for _, sw := range jobs {
		j := sw.Job
		if j == nil || store.Final(j.Status) {
			ended = append(ended, sw.ID)
			continue
		}
		if j.Status == store.StatusStaging {
			continue // its producer still writes it, or died and its keys expire
		}
		if j.Status == store.StatusQueued && j.StartAt.After(now) {
			continue // its start task is scheduled; if it was lost, the job is rescued once its start has passed
		}
		sig := store.Signature(j, sw.Progress)
		if sig != sw.Signature {
			if err := w.store.Saw(ctx, sw.ID, sig, now); err != nil {
				return ended, err
			}
			continue
		}
		if now.Sub(sw.Since) < w.opts.RescueAfter {
			continue
		}
		if err := w.rescue(ctx, j, sw.Progress); err != nil {
			w.opts.Logger.Warn("rescuing a job", logJob(j.ID), zap.Error(err))
			continue
		}
		if err := w.store.Saw(ctx, sw.ID, sig, now); err != nil {
			return ended, err
		}
	}
	return ended, nil
}

// rescue enqueues again the tasks that job j needs to go on, as its
// status says: its start task (queued), the range tasks of its chunks not
// done (running), or its finish task (running with every chunk done, or
// finishing). A task that still exists keeps its ID and is left alone;
// only those that are gone are enqueued, and logged.
func (w *Worker) rescue(ctx context.Context, j *store.Job, p store.Progress) error {
	var tasks []rescueTask
	switch {
	case j.Status == store.StatusQueued || (j.Direct() && j.Status == store.StatusRunning):
		// A direct job is one task from start to end: only that task may
		// push it, whatever its status.
		typ, payload, opts := store.StartTask(j)
		tasks = append(tasks, rescueTask{typ, payload, opts})
	case j.Status == store.StatusFinishing || (j.Status == store.StatusRunning && p.ChunksDone >= j.Chunks):
		tasks = append(tasks, rescueTask{store.TypeFinish, store.FinishPayload{JobID: j.ID}, w.finishOptions(j)})
	case j.Status == store.StatusRunning:
		done, err := w.store.DoneChunks(ctx, j.ID)
		if err != nil {
			return err
		}
		for _, r := range w.ranges(j) {
			for i := r.First; i < r.First+r.Count; i++ {
				if !done[i] {
					tasks = append(tasks, rescueTask{store.TypeChunks, r, w.rangeOptions(j, r)})
					break
				}
			}
		}
	}
	var enqueued []string
	for _, t := range tasks {
		created, err := w.enqueueNew(ctx, t.typ, t.payload, t.opts...)
		if err != nil {
			return err
		}
		if created {
			enqueued = append(enqueued, t.typ)
			w.metrics.rescued.WithLabelValues(t.typ).Inc()
		}
	}
	if len(enqueued) > 0 {
		w.opts.Logger.Warn("job rescued: it had not moved for a while and lacked tasks to go on (Redis lost writes): enqueued again",
			logJob(j.ID), zap.String("status", j.Status), zap.Strings("tasks", enqueued))
	}
	return nil
}

type rescueTask struct {
	typ     string
	payload any
	opts    []asynq.Option
}
