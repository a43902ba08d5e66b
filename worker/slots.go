package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/cpush/cpush/push"
)

// slotMessage is the MessageId a chunk pushes with and when it expires.
type slotMessage struct {
	id        string
	expiresAt time.Time
	slot      int
	value     string // the slot's value in Redis ("" in message-id mode)
}

// lookahead is the number of slots after a chunk's own whose MessageIds are
// created ahead, so that the chunks of a new slot find it ready.
const lookahead = 2

// slotOf is the slot of chunk index in content mode.
func (w *Worker) slotOf(index int) int { return index / w.opts.Limits.ChunksPerSlot() }

// slotFields are the slots hash fields of chunk index's slot and the
// lookahead slots after it.
func (w *Worker) slotFields(index int) []string {
	s := w.slotOf(index)
	out := make([]string, 0, lookahead+1)
	for k := range lookahead + 1 {
		out = append(out, strconv.Itoa(s+k))
	}
	return out
}

// messageFor returns the MessageId for chunk index: the job's own
// (message-id mode) or its slot's, created on first use (content mode).
// known are the slot values the chunk's load read (slotFields).
func (w *Worker) messageFor(ctx context.Context, j *job, index int, known []string) (slotMessage, error) {
	if j.message == nil {
		return slotMessage{id: j.messageID, expiresAt: j.messageCreatedAt.Add(w.opts.Limits.TTL)}, nil
	}
	s := w.slotOf(index)
	w.prepareAhead(j, s, known)
	if len(known) > 0 && known[0] != "" {
		return w.parseSlot(s, known[0]), nil
	}
	return w.slot(ctx, j, s)
}

// prepareAhead creates, in the background, the MessageIds of the job's
// next slots that do not exist yet; a worker that finds a slot's lock taken
// leaves it to the holder.
func (w *Worker) prepareAhead(j *job, s int, known []string) {
	last := (j.chunks - 1) / w.opts.Limits.ChunksPerSlot()
	for k := 1; k < len(known) && s+k <= last; k++ {
		if known[k] != "" {
			continue
		}
		key := j.id + "/" + strconv.Itoa(s+k)
		if _, busy := w.ahead.LoadOrStore(key, true); busy {
			continue
		}
		go func(slot int) {
			defer w.ahead.Delete(key)
			ctx, cancel := context.WithTimeout(context.Background(), w.opts.LockTTL)
			defer cancel()
			if err := w.createAhead(ctx, j, slot); err != nil {
				w.opts.Logger.Debug("creating a MessageId ahead; its chunks will", zap.String("job_id", j.id), zap.Int("slot", slot), zap.Error(err))
			}
		}(s + k)
	}
}

func (w *Worker) createAhead(ctx context.Context, j *job, slot int) error {
	token, ok, err := w.lockSlot(ctx, j.id, slot)
	if err != nil || !ok {
		return err
	}
	defer w.unlockSlot(j.id, slot, token)
	_, err = w.createSlot(ctx, j, slot)
	return err
}

// slot returns a slot's MessageId, creating it under a lock if there is
// none: however many workers race, one Push call creates it. A worker that
// finds the lock taken waits for the MessageId to appear.
func (w *Worker) slot(ctx context.Context, j *job, slot int) (slotMessage, error) {
	deadline := time.Now().Add(w.opts.MaxInlineWait)
	for {
		if m, ok, err := w.readSlot(ctx, j.id, slot); err != nil || ok {
			return m, err
		}
		token, ok, err := w.lockSlot(ctx, j.id, slot)
		if err != nil {
			return slotMessage{}, err
		}
		if ok {
			defer w.unlockSlot(j.id, slot, token)
			return w.createSlot(ctx, j, slot)
		}
		if time.Now().After(deadline) {
			return slotMessage{}, &WaitError{Delay: 100 * time.Millisecond, Reason: fmt.Sprintf("slot %d's MessageId is being created", slot)}
		}
		if err := sleep(ctx, 2*time.Millisecond); err != nil {
			return slotMessage{}, err
		}
	}
}

func (w *Worker) readSlot(ctx context.Context, id string, slot int) (slotMessage, bool, error) {
	v, err := w.rdb.HGet(ctx, w.keys.Slots(id), strconv.Itoa(slot)).Result()
	if errors.Is(err, redis.Nil) {
		return slotMessage{}, false, nil
	}
	if err != nil {
		return slotMessage{}, false, fmt.Errorf("reading slot %d of job %s: %w", slot, id, err)
	}
	return w.parseSlot(slot, v), true, nil
}

// parseSlot reads a slot's value, "<mid>|<created ms>".
func (w *Worker) parseSlot(slot int, v string) slotMessage {
	mid, created, _ := strings.Cut(v, "|")
	ms, _ := strconv.ParseInt(created, 10, 64)
	return slotMessage{id: mid, expiresAt: time.UnixMilli(ms).Add(w.opts.Limits.TTL), slot: slot, value: v}
}

func (w *Worker) lockSlot(ctx context.Context, id string, slot int) (string, bool, error) {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token := hex.EncodeToString(b)
	ok, err := w.rdb.SetNX(ctx, w.keys.SlotLock(id, slot), token, w.opts.LockTTL).Result()
	if err != nil {
		return "", false, fmt.Errorf("locking slot %d of job %s: %w", slot, id, err)
	}
	return token, ok, nil
}

func (w *Worker) unlockSlot(id string, slot int, token string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := unlockScript.Run(ctx, w.rdb, []string{w.keys.SlotLock(id, slot)}, token).Err(); err != nil {
		w.opts.Logger.Warn("unlocking slot; the lock expires by itself", zap.String("job_id", id), zap.Int("slot", slot), zap.Error(err))
	}
}

// createSlot stores the job's message with Push(TBD) for slot, holding its
// lock. The creation time is taken before the call, so the expiry cpush
// assumes is never later than the service's.
func (w *Worker) createSlot(ctx context.Context, j *job, slot int) (slotMessage, error) {
	if m, ok, err := w.readSlot(ctx, j.id, slot); err != nil || ok {
		return m, err // created while this worker took the lock
	}
	if _, err := w.limiter.Wait(ctx, j.app, push.ActionPush); err != nil {
		return slotMessage{}, err
	}
	created := time.Now()
	res, err := j.app.Service.CreateMessage(ctx, j.appKey, j.message.ForJob(j.id)) // JobKey: the job's, unless the producer set one
	w.metrics.observeCall(push.ActionPush, created, err)
	if err != nil {
		return slotMessage{}, fmt.Errorf("creating the MessageId of slot %d of job %s: %w", slot, j.id, err)
	}
	value := res.MessageID + "|" + strconv.FormatInt(created.UnixMilli(), 10)
	keys := []string{w.keys.Slots(j.id), w.keys.MessageIDs(j.id)}
	if err := setSlotScript.Run(ctx, w.rdb, keys, slot, value, res.MessageID, w.opts.JobTTL.Milliseconds()).Err(); err != nil {
		return slotMessage{}, fmt.Errorf("recording MessageId %s of job %s: %w", res.MessageID, j.id, err)
	}
	w.opts.Logger.Info("message created", zap.String("job_id", j.id), zap.Int("slot", slot),
		zap.String("message_id", res.MessageID), zap.String("request_id", res.RequestID))
	return slotMessage{id: res.MessageID, expiresAt: created.Add(w.opts.Limits.TTL), slot: slot, value: value}, nil
}

// rollover drops a slot's MessageId that the service or the quota refused,
// so the chunk's next run creates a fresh one, and asks for that run now.
func (w *Worker) rollover(ctx context.Context, j *job, m slotMessage, reason string) error {
	if err := dropSlotScript.Run(ctx, w.rdb, []string{w.keys.Slots(j.id)}, m.slot, m.value).Err(); err != nil {
		return fmt.Errorf("rolling over slot %d of job %s: %w", m.slot, j.id, err)
	}
	w.opts.Logger.Info("message rolled over", zap.String("job_id", j.id), zap.Int("slot", m.slot),
		zap.String("message_id", m.id), zap.String("code", reason))
	return &WaitError{Reason: fmt.Sprintf("MessageId %s of slot %d refused (%s): rolling over", m.id, m.slot, reason)}
}
