package pushsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// shutdownTimeout bounds the graceful shutdown of ListenAndServe.
const shutdownTimeout = 10 * time.Second

// ListenAndServe serves s on addr until ctx is done, then shuts down
// gracefully. It returns nil after a clean shutdown.
func ListenAndServe(ctx context.Context, addr string, s *Server) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pushsim: listening on %s: %w", addr, err)
	}
	return Serve(ctx, ln, s)
}

// Serve serves s on ln until ctx is done, then shuts down gracefully. It
// lets a caller pick a free port (":0") and learn it before serving.
func Serve(ctx context.Context, ln net.Listener, s *Server) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 4 << 20}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("pushsim: serving: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("pushsim: shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("pushsim: serving: %w", err)
	}
	return nil
}
