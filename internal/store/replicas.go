package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// ReplicaTimeout is how long a write that must reach replicas (see
// RequireReplicas) waits for them, in milliseconds of Redis WAIT.
const ReplicaTimeout = 1000

// ErrNotReplicated is returned by a write that did not reach the replicas
// RequireReplicas asks for within ReplicaTimeout: the caller must not act
// on it (a failover now could lose it), and tries again later.
var ErrNotReplicated = errors.New("Redis replicas did not acknowledge the write in time (CPUSH_REDIS_MIN_REPLICAS)")

// RequireReplicas makes the writes that mark a push call about to go out
// (MarkInFlight, BeginDirect) wait until n replicas hold them (0: none), so
// that a failover to a replica cannot lose the mark of a call that went
// out. FinishChunks's marking of the next chunk does not wait: with
// replicas required, callers mark each chunk with MarkInFlight. It must be
// set before the Store is used, and not on Redis Cluster.
func (s *Store) RequireReplicas(n int) { s.replicas = n }

// Replicas is RequireReplicas's count.
func (s *Store) Replicas() int { return s.replicas }

// runMarked runs script sc, a write that marks a push call about to go
// out, and with RequireReplicas waits for the replicas on the same
// connection: WAIT counts the acknowledgement of the calling connection's
// last write, so it must follow the script on one connection, which a
// pipeline gives.
func (s *Store) runMarked(ctx context.Context, sc *redis.Script, keys []string, args ...any) *redis.Cmd {
	if s.replicas == 0 {
		return sc.Run(ctx, s.rdb, keys, args...)
	}
	cmd, wait := s.pipeMarked(ctx, func(p redis.Pipeliner) *redis.Cmd { return sc.EvalSha(ctx, p, keys, args...) })
	if redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
		cmd, wait = s.pipeMarked(ctx, func(p redis.Pipeliner) *redis.Cmd { return sc.Eval(ctx, p, keys, args...) })
	}
	if cmd.Err() != nil {
		return cmd
	}
	acked, err := wait.Int()
	if err == nil && acked < s.replicas {
		err = fmt.Errorf("%w: %d of %d", ErrNotReplicated, acked, s.replicas)
	}
	if err != nil {
		out := redis.NewCmd(ctx)
		out.SetErr(err)
		return out
	}
	return cmd
}

func (s *Store) pipeMarked(ctx context.Context, run func(redis.Pipeliner) *redis.Cmd) (cmd, wait *redis.Cmd) {
	_, _ = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		cmd = run(p)
		wait = p.Do(ctx, "WAIT", s.replicas, ReplicaTimeout)
		return nil
	})
	return cmd, wait
}
