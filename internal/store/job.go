package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Job is a job's meta hash.
type Job struct {
	ID     string
	Status string
	AppKey int64
	// TargetType is DEVICE, ACCOUNT or ALIAS.
	TargetType string
	// Message is the content's JSON (content mode), as the producer wrote it.
	Message []byte
	// MessageID and MessageCreatedAt are the producer's MessageId (message-id mode).
	MessageID        string
	MessageCreatedAt time.Time

	Total, Unique, Duplicates, Chunks int
	// ChunkSize is the most values of one chunk (ChunkSize when zero).
	ChunkSize int

	Priority, Queue string
	CreatedAt       time.Time
	StartAt         time.Time
	FinishedAt      time.Time
	FinishStarted   time.Time
	Cancel          bool
	CreateFailed    string
	WebhookURL      string
	Owner           string
	// Path is PathDirect or PathContinuous (the default).
	Path string
	// DirectInflight is when a direct job's Push call began and has not
	// ended (FieldDirectInflight); zero when none is in flight.
	DirectInflight time.Time
}

// Direct reports whether the job takes the direct path.
func (j *Job) Direct() bool { return j.Path == PathDirect }

// fields are the meta hash fields of what the producer sets.
func (j *Job) fields() []any {
	f := []any{
		FieldStatus, j.Status, FieldAppKey, j.AppKey, FieldTarget, j.TargetType,
		FieldTotal, j.Total, FieldUnique, j.Unique, FieldDuplicates, j.Duplicates,
		FieldChunks, j.Chunks, FieldChunkSize, j.chunkSize(), FieldPriority, j.Priority, FieldQueue, j.Queue,
		FieldCreatedAt, j.CreatedAt.UnixMilli(),
	}
	add := func(name string, v any, ok bool) {
		if ok {
			f = append(f, name, v)
		}
	}
	add(FieldStartAt, j.StartAt.UnixMilli(), !j.StartAt.IsZero())
	add(FieldWebhookURL, j.WebhookURL, j.WebhookURL != "")
	add(FieldOwner, j.Owner, j.Owner != "")
	add(FieldPath, j.Path, j.Path != "" && j.Path != PathContinuous)
	add(FieldMessage, j.Message, len(j.Message) > 0)
	add(FieldMessageID, j.MessageID, j.MessageID != "")
	add(FieldMessageCreatedAt, j.MessageCreatedAt.UnixMilli(), j.MessageID != "")
	return f
}

// parseJob decodes a meta hash; nil when it is empty.
func parseJob(id string, m map[string]string) *Job {
	if len(m) == 0 {
		return nil
	}
	j := &Job{
		ID: id, Status: m[FieldStatus], TargetType: m[FieldTarget], MessageID: m[FieldMessageID],
		Priority: m[FieldPriority], Queue: m[FieldQueue], Cancel: m[FieldCancel] == "1",
		CreateFailed: m[FieldCreateFailed], WebhookURL: m[FieldWebhookURL], Owner: m[FieldOwner],
		Total: atoi(m[FieldTotal]), Unique: atoi(m[FieldUnique]), Duplicates: atoi(m[FieldDuplicates]),
		Chunks: atoi(m[FieldChunks]), ChunkSize: atoi(m[FieldChunkSize]),
		MessageCreatedAt: msTime(m[FieldMessageCreatedAt]), CreatedAt: msTime(m[FieldCreatedAt]),
		StartAt: msTime(m[FieldStartAt]), FinishedAt: msTime(m[FieldFinishedAt]),
		FinishStarted: msTime(m[FieldFinishStarted]),
		Path:          m[FieldPath], DirectInflight: msTime(m[FieldDirectInflight]),
	}
	if j.Path == "" {
		j.Path = PathContinuous
	}
	j.AppKey, _ = strconv.ParseInt(m[FieldAppKey], 10, 64)
	j.ChunkSize = j.chunkSize()
	if raw := m[FieldMessage]; raw != "" {
		j.Message = []byte(raw)
	}
	return j
}

// chunkSize is the job's chunk size, ChunkSize when unset.
func (j *Job) chunkSize() int {
	if j.ChunkSize <= 0 {
		return ChunkSize
	}
	return j.ChunkSize
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func msTime(s string) time.Time {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// claimScript claims a job ID for staging.
//
// KEYS[1] -> the job's meta hash (Keys.Meta)
// ARGV[1] -> now, ms
// ARGV[2] -> the staging TTL, ms
//
// Returns 1 when the ID was free (meta now holds the staging status and
// the creation time, expiring after the staging TTL), 0 when a job has it.
var claimScript = newScript(`
if redis.call("EXISTS", KEYS[1]) == 1 then
  return 0
end
redis.call("HSET", KEYS[1], @status, @staging, @created_ms, ARGV[1])
redis.call("PEXPIRE", KEYS[1], ARGV[2])
return 1
`)

// Claim claims job ID id for staging for ttl; false when a job has it.
func (s *Store) Claim(ctx context.Context, id string, now time.Time, ttl time.Duration) (bool, error) {
	n, err := claimScript.Run(ctx, s.rdb, []string{s.keys.Meta(id)}, now.UnixMilli(), ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("claiming job id %s: %w", id, err)
	}
	return n == 1, nil
}

// Commit makes a job whose chunks are staged visible: its meta (status
// queued), the TTL of its keys, its place among the recent jobs, from
// which the jobs created more than recent ago are dropped, and among the
// active ones (Keys.Active).
func (s *Store) Commit(ctx context.Context, j *Job, ttl, recent time.Duration) error {
	j.Status = StatusQueued
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.keys.Meta(j.ID), j.fields()...)
		p.PExpire(ctx, s.keys.Meta(j.ID), ttl)
		p.PExpire(ctx, s.keys.Chunks(j.ID), ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("committing job %s: %w", j.ID, err)
	}
	ms := j.CreatedAt.UnixMilli()
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, s.keys.Recent(), redis.Z{Score: float64(ms), Member: j.ID})
		p.ZRemRangeByScore(ctx, s.keys.Recent(), "-inf", "("+strconv.FormatInt(ms-recent.Milliseconds(), 10))
		activate(ctx, p, s.keys, j)
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing job %s among the recent ones: %w", j.ID, err)
	}
	return nil
}

// Delete removes what a failed enqueue of job id wrote, even if ctx is done.
func (s *Store) Delete(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, k := range s.keys.JobKeys(id) {
		s.rdb.Del(ctx, k) // one key per command: some proxies refuse DEL of many keys
	}
	s.rdb.ZRem(ctx, s.keys.Recent(), id)
	s.Retire(ctx, id)
}

// cancelScript asks for a job's cancellation.
//
// KEYS[1] -> the job's meta hash
//
// Returns nil when the job does not exist, else its status; unless that
// status is final, the meta's cancel field is set to 1.
var cancelScript = newScript(`
local status = redis.call("HGET", KEYS[1], @status)
if not status then
  return false
end
if status ~= @completed and status ~= @failed and status ~= @cancelled then
  redis.call("HSET", KEYS[1], @cancel, "1")
end
return status
`)

// Cancel asks for job id's cancellation and returns its status; an
// unknown job returns ErrNotFound.
func (s *Store) Cancel(ctx context.Context, id string) (string, error) {
	status, err := cancelScript.Run(ctx, s.rdb, []string{s.keys.Meta(id)}).Text()
	if errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("cancelling job %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("cancelling job %s: %w", id, err)
	}
	return status, nil
}

// ReadJob reads job id's meta hash; an unknown job returns ErrNotFound.
func (s *Store) ReadJob(ctx context.Context, id string) (*Job, error) {
	m, err := s.rdb.HGetAll(ctx, s.keys.Meta(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("reading job %s: %w", id, err)
	}
	j := parseJob(id, m)
	if j == nil {
		return nil, fmt.Errorf("reading job %s: %w", id, ErrNotFound)
	}
	return j, nil
}

// Exists reports whether job id exists.
func (s *Store) Exists(ctx context.Context, id string) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.keys.Meta(id)).Result()
	if err != nil {
		return false, fmt.Errorf("reading job %s: %w", id, err)
	}
	return n == 1, nil
}

// SetRunning moves a queued job to running.
func (s *Store) SetRunning(ctx context.Context, id string) error {
	if err := s.rdb.HSet(ctx, s.keys.Meta(id), FieldStatus, StatusRunning).Err(); err != nil {
		return fmt.Errorf("starting job %s: %w", id, err)
	}
	return nil
}

// SetCreateFailed records that the service refused job id's message for
// good with code, so that its other chunks fail at once.
func (s *Store) SetCreateFailed(ctx context.Context, id, code string) error {
	if err := s.rdb.HSet(ctx, s.keys.Meta(id), FieldCreateFailed, code).Err(); err != nil {
		return fmt.Errorf("recording the refused message of job %s: %w", id, err)
	}
	return nil
}

// Cancelled reads job id's cancel flag.
func (s *Store) Cancelled(ctx context.Context, id string) (bool, error) {
	v, err := s.rdb.HGet(ctx, s.keys.Meta(id), FieldCancel).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the cancel flag of job %s: %w", id, err)
	}
	return v == "1", nil
}

// Owner reads who created job id (FieldOwner; "" when none was recorded).
// An unknown job returns ErrNotFound.
func (s *Store) Owner(ctx context.Context, id string) (string, error) {
	vals, err := s.rdb.HMGet(ctx, s.keys.Meta(id), FieldStatus, FieldOwner).Result()
	if err != nil {
		return "", fmt.Errorf("reading the owner of job %s: %w", id, err)
	}
	if status, _ := vals[0].(string); status == "" {
		return "", fmt.Errorf("reading job %s: %w", id, ErrNotFound)
	}
	owner, _ := vals[1].(string)
	return owner, nil
}

// Owners reads who created each job of ids in one round trip ("" for none
// or an unknown job).
func (s *Store) Owners(ctx context.Context, ids []string) ([]string, error) {
	cmds := make([]*redis.StringCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HGet(ctx, s.keys.Meta(id), FieldOwner)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("reading the owners of %d jobs: %w", len(ids), err)
	}
	out := make([]string, len(ids))
	for i, cmd := range cmds {
		out[i] = cmd.Val()
	}
	return out, nil
}
