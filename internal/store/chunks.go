package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// chunkSep separates the values of a packed chunk. Values never hold it:
// they are validated to have no whitespace.
const chunkSep = "\n"

// PackChunk packs a chunk's values as the chunks hash stores them.
func PackChunk(values []string) string { return strings.Join(values, chunkSep) }

// UnpackChunk returns the values of a packed chunk.
func UnpackChunk(packed string) []string { return strings.Split(packed, chunkSep) }

// stageBatch is the number of chunks written per round trip while staging.
const stageBatch = 32

// ChunkWriter stages a job's chunks, stageBatch of them per round trip,
// each expiring after a TTL until the job is committed; each write renews
// the TTL of the job's claim (its meta) too, so that a staging that goes
// on keeps its job ID.
type ChunkWriter struct {
	s    *Store
	key  string
	meta string
	ttl  time.Duration
	args []any
	n    int // chunks added so far: the next chunk's index
}

// NewChunkWriter returns a writer of job id's chunks, kept for ttl.
func (s *Store) NewChunkWriter(id string, ttl time.Duration) *ChunkWriter {
	return &ChunkWriter{s: s, key: s.keys.Chunks(id), meta: s.keys.Meta(id), ttl: ttl, args: make([]any, 0, 2*stageBatch)}
}

// Expire renews the staging TTL of the job's claim and chunks.
func (w *ChunkWriter) Expire(ctx context.Context) error {
	_, err := w.s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.PExpire(ctx, w.meta, w.ttl)
		p.PExpire(ctx, w.key, w.ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("renewing the staging of %s: %w", w.meta, err)
	}
	return nil
}

// Add stages the next chunk; values may be reused once Add returns.
func (w *ChunkWriter) Add(ctx context.Context, values []string) error {
	w.args = append(w.args, strconv.Itoa(w.n), PackChunk(values))
	w.n++
	if len(w.args) < 2*stageBatch {
		return nil
	}
	return w.Flush(ctx)
}

// Flush writes the chunks added since the last flush.
func (w *ChunkWriter) Flush(ctx context.Context) error {
	if len(w.args) == 0 {
		return nil
	}
	_, err := w.s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, w.key, w.args...)
		p.PExpire(ctx, w.key, w.ttl)
		p.PExpire(ctx, w.meta, w.ttl)
		return nil
	})
	clear(w.args)
	w.args = w.args[:0]
	if err != nil {
		return fmt.Errorf("writing chunks to %s: %w", w.key, err)
	}
	return nil
}

// ChunkFailure is a chunk some of whose targets failed.
type ChunkFailure struct {
	Index  int
	Pushed int // the first Pushed targets were pushed
	Code   string
}

// FailedChunks scans job id's done hash for failed and partial chunks, in
// chunk order.
func (s *Store) FailedChunks(ctx context.Context, id string) ([]ChunkFailure, error) {
	var out []ChunkFailure
	iter := s.rdb.HScan(ctx, s.keys.Done(id), 0, "", 1000).Iterator()
	for iter.Next(ctx) {
		field := iter.Val()
		if !iter.Next(ctx) {
			break
		}
		index, err := strconv.Atoi(field)
		if pushed, code, ok := ParseFailure(iter.Val()); ok && err == nil {
			out = append(out, ChunkFailure{Index: index, Pushed: pushed, Code: code})
		}
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("reading the chunk outcomes of job %s: %w", id, err)
	}
	slices.SortFunc(out, func(a, b ChunkFailure) int { return a.Index - b.Index })
	return out, nil
}

// ChunkValues reads the values of job id's chunks at indexes, in order.
func (s *Store) ChunkValues(ctx context.Context, id string, indexes []int) ([][]string, error) {
	fields := make([]string, len(indexes))
	for i, n := range indexes {
		fields[i] = strconv.Itoa(n)
	}
	packed, err := s.rdb.HMGet(ctx, s.keys.Chunks(id), fields...).Result()
	if err != nil {
		return nil, fmt.Errorf("reading chunks of job %s: %w", id, err)
	}
	out := make([][]string, len(indexes))
	for i, p := range packed {
		v, ok := p.(string)
		if !ok {
			return nil, fmt.Errorf("chunk %d of job %s: %w", indexes[i], id, ErrNotFound)
		}
		out[i] = UnpackChunk(v)
	}
	return out, nil
}
