package store

import (
	"errors"

	"github.com/redis/go-redis/v9"
)

// ErrNotFound: the job's keys do not exist (never staged, or expired).
var ErrNotFound = errors.New("job not found")

// Store is cpush's state in one Redis (single, Sentinel or Cluster) under
// one key prefix. It is safe for concurrent use.
type Store struct {
	rdb  redis.UniversalClient
	keys Keys
	// replicas is RequireReplicas's count.
	replicas int
}

// New returns the Store of prefix on rdb; the caller keeps ownership of rdb.
func New(rdb redis.UniversalClient, prefix string) *Store {
	return &Store{rdb: rdb, keys: Keys{Prefix: prefix}}
}

// Keys returns the Store's key builder.
func (s *Store) Keys() Keys { return s.keys }

// Prefix returns the key prefix, also the asynq queue namespace.
func (s *Store) Prefix() string { return s.keys.Prefix }

// Redis returns the client the Store uses.
func (s *Store) Redis() redis.UniversalClient { return s.rdb }
