package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// job is what a worker reads of a job's meta hash.
type job struct {
	id               string
	status           string
	appKey           int64
	target           string
	message          *push.Message // content mode
	messageID        string        // message-id mode
	messageCreatedAt time.Time
	chunks           int
	queue            string
	cancel           bool
	createFailed     string // the code Push refused the message with, for good
	app              App    // the AppKey's service and quota
}

// errJobGone: the job's keys are gone (expired or never staged).
var errJobGone = errors.New("job not found")

func parseJob(id string, m map[string]string) (*job, error) {
	if len(m) == 0 {
		return nil, fmt.Errorf("job %s: %w", id, errJobGone)
	}
	j := &job{
		id:           id,
		status:       m[jobs.FieldStatus],
		target:       m[jobs.FieldTarget],
		messageID:    m[jobs.FieldMessageID],
		queue:        m[jobs.FieldQueue],
		cancel:       m[jobs.FieldCancel] == "1",
		createFailed: m[jobs.FieldCreateFailed],
	}
	j.appKey, _ = strconv.ParseInt(m[jobs.FieldAppKey], 10, 64)
	j.chunks, _ = strconv.Atoi(m[jobs.FieldChunks])
	if ms, err := strconv.ParseInt(m[jobs.FieldMessageCreatedAt], 10, 64); err == nil {
		j.messageCreatedAt = time.UnixMilli(ms)
	}
	if raw := m[jobs.FieldMessage]; raw != "" {
		j.message = new(push.Message)
		if err := json.Unmarshal([]byte(raw), j.message); err != nil {
			return nil, fmt.Errorf("job %s: decoding its message: %w", id, err)
		}
	}
	return j, nil
}

// chunkState is a chunk task's view of its job in one round trip.
type chunkState struct {
	job    *job
	done   bool
	values []string
	// slots are the values of the chunk's slot and the lookahead slots
	// after it ("" where none exists yet); content mode only.
	slots []string
}

func (w *Worker) loadChunk(ctx context.Context, id string, index int) (*chunkState, error) {
	idx := strconv.Itoa(index)
	var meta *redis.MapStringStringCmd
	var done *redis.BoolCmd
	var chunk *redis.StringCmd
	var slots *redis.SliceCmd
	_, err := w.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		meta = p.HGetAll(ctx, w.keys.Meta(id))
		done = p.HExists(ctx, w.keys.Done(id), idx)
		chunk = p.HGet(ctx, w.keys.Chunks(id), idx)
		slots = p.HMGet(ctx, w.keys.Slots(id), w.slotFields(index)...)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("loading chunk %d of job %s: %w", index, id, err)
	}
	j, err := parseJob(id, meta.Val())
	if err != nil {
		return nil, err
	}
	j.app = w.app(j.appKey)
	st := &chunkState{job: j, done: done.Val(), slots: stringsOf(slots.Val())}
	if !st.done {
		if chunk.Err() != nil {
			return nil, fmt.Errorf("chunk %d of job %s: %w", index, id, errJobGone)
		}
		st.values = strings.Split(chunk.Val(), "\n")
	}
	return st, nil
}

// stringsOf turns HMGET's answer into strings, "" for a missing field.
func stringsOf(vals []any) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i], _ = v.(string)
	}
	return out
}

func (w *Worker) loadJob(ctx context.Context, id string) (*job, error) {
	m, err := w.rdb.HGetAll(ctx, w.keys.Meta(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("loading job %s: %w", id, err)
	}
	j, err := parseJob(id, m)
	if err != nil {
		return nil, err
	}
	j.app = w.app(j.appKey)
	return j, nil
}

// cancelled reads the job's cancel flag again, just before a push.
func (w *Worker) cancelled(ctx context.Context, id string) (bool, error) {
	v, err := w.rdb.HGet(ctx, w.keys.Meta(id), jobs.FieldCancel).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return v == "1", err
}
