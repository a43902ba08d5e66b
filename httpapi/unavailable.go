package httpapi

import (
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/redis/go-redis/v9"
)

// watchedBody is a request body that remembers whether reading it failed,
// so that an error is told apart: the client's body that did not come
// (408), or Redis that does not answer (503).
type watchedBody struct {
	io.ReadCloser
	err error
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// watchBody puts r's body behind a watchedBody.
func watchBody(r *http.Request) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &watchedBody{ReadCloser: r.Body}
	}
}

// bodyFailed reports whether reading r's body failed.
func bodyFailed(r *http.Request) bool {
	b, ok := r.Body.(*watchedBody)
	return ok && b.err != nil
}

// redisDown reports whether err says that Redis did not answer: no
// connection, a connection cut or timed out, or no free connection.
func redisDown(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, redis.ErrPoolTimeout) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// unavailable is the answer to a request that Redis could not serve.
func unavailable() *Error {
	return apiErr(CodeUnavailable, "", "cpush's Redis does not answer: nothing was written; try again")
}
