package main

import (
	"net"

	"go.uber.org/zap"

	"github.com/cpush/cpush/config"
	"github.com/cpush/cpush/httpapi"
)

// listenAddr is the address the HTTP endpoints listen on: cfg.HTTPAddr,
// except that with no API tokens, when the API and the UI would be open to
// anyone who can connect, a host that is not loopback becomes 127.0.0.1
// with the same port. It logs which it is.
func listenAddr(cfg *config.Config, log *zap.Logger) string {
	addr, moved := loopbackAddr(cfg.HTTPAddr, cfg.HasTokens())
	switch {
	case moved:
		log.Warn("NO API TOKENS (CPUSH_API_TOKENS): the HTTP API and web UI would be open to anyone, "+
			"so HTTP listens on loopback only, NOT on CPUSH_HTTP_ADDR; set CPUSH_API_TOKENS to serve other hosts",
			zap.String("http_addr", cfg.HTTPAddr), zap.String("listening_on", addr))
	case !cfg.HasTokens():
		log.Info("no API tokens (CPUSH_API_TOKENS): the HTTP API and web UI serve clients on this host only",
			zap.String("listening_on", addr))
	}
	return addr
}

// loopbackAddr returns addr, or 127.0.0.1 with addr's port when there are
// no tokens and addr's host is not loopback (moved is then true).
func loopbackAddr(addr string, tokens bool) (listen string, moved bool) {
	host, port, err := net.SplitHostPort(addr)
	if tokens || err != nil || httpapi.IsLoopbackHost(host) {
		return addr, false
	}
	return net.JoinHostPort("127.0.0.1", port), true
}
