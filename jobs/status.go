package jobs

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Status is a job's progress: the summary that `cpush status --json` and
// the HTTP API print.
type Status struct {
	ID                 string         `json:"id"`
	Status             string         `json:"status"`
	AppKey             int64          `json:"app_key"`
	Target             string         `json:"target"`
	Total              int            `json:"total"`
	Unique             int            `json:"unique"`
	Duplicates         int            `json:"duplicates"`
	Pushed             int            `json:"pushed"`
	Failed             map[string]int `json:"failed"` // by code
	FailedTotal        int            `json:"failed_total"`
	Cancelled          int            `json:"cancelled"`
	PossibleDuplicates int            `json:"possible_duplicates"`
	Chunks             int            `json:"chunks"`
	ChunksDone         int            `json:"chunks_done"`
	MessageIDs         []string       `json:"message_ids"`
	CancelRequested    bool           `json:"cancel_requested,omitempty"`
	CreatedAt          time.Time      `json:"created_at"`
	FinishedAt         time.Time      `json:"finished_at,omitzero"`
	// Owner is the job's Job.Owner; never in JSON.
	Owner string `json:"-"`
}

// Final reports whether the job has ended.
func (s *Status) Final() bool { return Final(s.Status) }

// Summary is a job's summary as `cpush status --json`, the HTTP API and
// the completion webhook give it. Its JSON names are a contract.
type Summary struct {
	ID                 string         `json:"id"`
	Status             string         `json:"status"`
	Total              int            `json:"total"`
	Unique             int            `json:"unique"`
	Duplicates         int            `json:"duplicates"`
	Pushed             int            `json:"pushed"`
	Failed             map[string]int `json:"failed"`
	Cancelled          int            `json:"cancelled"`
	PossibleDuplicates int            `json:"possible_duplicates"`
	MessageIDs         []string       `json:"message_ids"`
}

// Summary returns s's summary.
func (s *Status) Summary() Summary {
	return Summary{ID: s.ID, Status: s.Status, Total: s.Total, Unique: s.Unique, Duplicates: s.Duplicates,
		Pushed: s.Pushed, Failed: s.Failed, Cancelled: s.Cancelled, PossibleDuplicates: s.PossibleDuplicates,
		MessageIDs: s.MessageIDs}
}

// Status reads job id's progress. An unknown job returns ErrJobNotFound.
func (c *Client) Status(ctx context.Context, id string) (*Status, error) {
	return ReadStatus(ctx, c.rdb, c.keys, id)
}

// ReadStatus reads job id's progress from rdb.
func ReadStatus(ctx context.Context, rdb redis.UniversalClient, keys Keys, id string) (*Status, error) {
	var meta, progress, mids *redis.MapStringStringCmd
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		meta = p.HGetAll(ctx, keys.Meta(id))
		progress = p.HGetAll(ctx, keys.Progress(id))
		mids = p.HGetAll(ctx, keys.MessageIDs(id))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading job %s: %w", id, err)
	}
	if len(meta.Val()) == 0 {
		return nil, fmt.Errorf("reading job %s: %w", id, ErrJobNotFound)
	}
	s := &Status{ID: id, Failed: map[string]int{}}
	s.fromMeta(meta.Val())
	s.fromProgress(progress.Val())
	s.MessageIDs = messageIDs(meta.Val(), mids.Val())
	return s, nil
}

func (s *Status) fromMeta(m map[string]string) {
	s.Status = m[FieldStatus]
	s.AppKey, _ = strconv.ParseInt(m[FieldAppKey], 10, 64)
	s.Target = m[FieldTarget]
	s.Total = atoi(m[FieldTotal])
	s.Unique = atoi(m[FieldUnique])
	s.Duplicates = atoi(m[FieldDuplicates])
	s.Chunks = atoi(m[FieldChunks])
	s.CancelRequested = m[FieldCancel] == "1"
	s.CreatedAt = msTime(m[FieldCreatedAt])
	s.FinishedAt = msTime(m[FieldFinishedAt])
	s.Owner = m[FieldOwner]
}

func (s *Status) fromProgress(m map[string]string) {
	s.Pushed = atoi(m[ProgressPushed])
	s.FailedTotal = atoi(m[ProgressFailed])
	s.Cancelled = atoi(m[ProgressCancelled])
	s.PossibleDuplicates = atoi(m[ProgressPossibleDuplicates])
	s.ChunksDone = atoi(m[ProgressChunksDone])
	for k, v := range m {
		if code, ok := strings.CutPrefix(k, FailedPrefix); ok {
			s.Failed[code] = atoi(v)
		}
	}
}

// messageIDs lists the given MessageId (message-id mode) or the created
// ones in slot order (content mode).
func messageIDs(meta, mids map[string]string) []string {
	if mid := meta[FieldMessageID]; mid != "" {
		return []string{mid}
	}
	out := make([]string, 0, len(mids))
	for mid := range mids {
		out = append(out, mid)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := atoi(mids[out[i]]), atoi(mids[out[j]])
		return a < b || (a == b && out[i] < out[j])
	})
	return out
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
