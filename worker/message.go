package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/cpush/cpush/internal/store"
	"github.com/cpush/cpush/push"
)

// messages is the lifecycle of the MessageIds a content-mode job creates.
// The job's chunks are numbered into messages of one MessageId's worth
// (messageOf); each message has one current MessageId, created once by
// Push(Target=TBD) under a lock however many workers race for it, replaced
// (rolled over) when the service or cpush's own rules refuse it, and
// completed when the job finishes (finish.go).
type messages struct{ w *Worker }

// current is the MessageId a chunk pushes with.
type current struct {
	id        string
	expiresAt time.Time
	// n and value are the message number and its value in the store
	// (content mode; value is "" in message-id mode).
	n     int
	value string
	epoch string // the Redis epoch it was recorded in
}

// of returns the MessageId for message n of j: the producer's in
// message-id mode; in content mode known (the value the range loaded), or
// one created now.
//
// A MessageId recorded before the Redis server holding the job restarted
// or failed over (another epoch) is retired: the writes of the last second
// before it, its reservations and done markers among them, may be gone, so
// its count of pushes may be short of the service's, and one more call
// could pass its limit.
func (m messages) of(ctx context.Context, j *job, n int, known, epoch string) (current, error) {
	if !j.contentMode() {
		return current{id: j.MessageID, expiresAt: j.MessageCreatedAt.Add(m.w.opts.Limits.TTL)}, nil
	}
	if known == "" {
		return m.create(ctx, j, n)
	}
	c := m.parse(n, known)
	if c.epoch != "" && epoch != "" && c.epoch != epoch {
		return current{}, m.rollover(ctx, j, c, store.ReasonNewEpoch)
	}
	return c, nil
}

func (m messages) parse(n int, value string) current {
	mid, created, epoch := store.ParseMessageValue(value)
	return current{id: mid, expiresAt: created.Add(m.w.opts.Limits.TTL), n: n, value: value, epoch: epoch}
}

// create returns message n's MessageId, creating it under its lock if it
// has none. A worker that finds the lock taken waits for the MessageId to
// appear, up to MaxInlineWait, then goes back to the queue.
func (m messages) create(ctx context.Context, j *job, n int) (current, error) {
	deadline := time.Now().Add(m.w.opts.MaxInlineWait)
	for {
		if v, err := m.w.store.ReadMessage(ctx, j.ID, n); err != nil || v != "" {
			return m.parse(n, v), err
		}
		token := newToken()
		ok, err := m.w.store.LockMessage(ctx, j.ID, n, token, m.w.opts.LockTTL)
		if err != nil {
			return current{}, err
		}
		if ok {
			defer m.unlock(j.ID, n, token)
			return m.createLocked(ctx, j, n)
		}
		if time.Now().After(deadline) {
			return current{}, &WaitError{Delay: 100 * time.Millisecond, Reason: fmt.Sprintf("message %d's MessageId is being created", n)}
		}
		if err := sleep(ctx, 2*time.Millisecond); err != nil {
			return current{}, err
		}
	}
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func (m messages) unlock(id string, n int, token string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.w.store.UnlockMessage(ctx, id, n, token); err != nil {
		m.w.opts.Logger.Warn("unlocking a message; the lock expires by itself", logJob(id), zap.Int("message", n), zap.Error(err))
	}
}

// createLocked stores j's message with Push(TBD) as message n, holding its
// lock. The creation time is taken before the call, so the expiry cpush
// assumes is never later than the service's.
func (m messages) createLocked(ctx context.Context, j *job, n int) (current, error) {
	w := m.w
	if v, err := w.store.ReadMessage(ctx, j.ID, n); err != nil || v != "" {
		return m.parse(n, v), err // created while this worker took the lock
	}
	if err := w.beginCall(ctx, j.app, push.ActionPush); err != nil {
		return current{}, err
	}
	created := time.Now()
	res, err := j.app.Service.CreateMessage(ctx, j.AppKey, j.message.ForJob(j.ID)) // JobKey: the job's, unless the producer set one
	if err := w.endCall(ctx, j.app, push.ActionPush, created, err); err != nil {
		return current{}, fmt.Errorf("creating the MessageId of message %d of job %s: %w", n, j.ID, err)
	}
	var v string
	err = w.durably(ctx, func() (err error) {
		v, err = w.store.SetMessage(ctx, j.ID, n, res.MessageID, created, w.opts.JobTTL)
		return err
	})
	if err != nil {
		return current{}, err
	}
	w.opts.Logger.Info("message created", logJob(j.ID), zap.Int("message", n),
		zap.String("message_id", res.MessageID), zap.String("request_id", res.RequestID))
	return m.parse(n, v), nil
}

// rollover drops a MessageId that the service or the quota refused, so
// that the next run creates a fresh one, and asks for that run now.
func (m messages) rollover(ctx context.Context, j *job, c current, reason string) error {
	if _, err := m.w.store.DropMessage(ctx, j.ID, c.n, c.value); err != nil {
		return err
	}
	m.w.opts.Logger.Info("message rolled over", logJob(j.ID), zap.Int("message", c.n),
		zap.String("message_id", c.id), zap.String("code", reason))
	return &WaitError{Reason: fmt.Sprintf("MessageId %s of message %d refused (%s): rolling over", c.id, c.n, reason)}
}

// complete ends MessageId mid of j with CompleteContinuouslyPush and
// reports how it left it: completed, or gone (the service no longer takes
// it: expired, completed or unknown).
func (m messages) complete(ctx context.Context, j *job, mid string) (string, error) {
	w := m.w
	if err := w.beginCall(ctx, j.app, push.ActionCompleteContinuouslyPush); err != nil {
		return "", err
	}
	start := time.Now()
	_, err := j.app.Service.CompleteMessage(ctx, j.AppKey, mid)
	err = w.endCall(ctx, j.app, push.ActionCompleteContinuouslyPush, start, err)
	switch e, ok := push.AsError(err); {
	case err == nil:
		return store.ClosedCompleted, nil
	case asWait(err):
		return "", err
	case ok && e.Class == push.ClassRollover:
		return store.ClosedGone, nil
	case ok && e.Class == push.ClassWait:
		w.throttled(ctx, j.app, e)
		return "", &WaitError{Delay: waitDelay(e), Reason: "throttled", Err: err}
	}
	return "", fmt.Errorf("completing MessageId %s of job %s: %w", mid, j.ID, err)
}
