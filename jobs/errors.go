package jobs

import (
	"errors"

	"github.com/cpush/cpush/internal/store"
)

// Errors the Client returns; test with errors.Is.
var (
	// ErrDuplicateJob: a job with this ID was already enqueued.
	ErrDuplicateJob = errors.New("a job with this id already exists")
	// ErrJobNotFound: no job has this ID (or it expired).
	ErrJobNotFound = store.ErrNotFound
	// ErrJobFinished: the job already ended, so it cannot be cancelled.
	ErrJobFinished = errors.New("job already finished")
)
