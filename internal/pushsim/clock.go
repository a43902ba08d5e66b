package pushsim

import "time"

// The simulator keeps two clocks:
//
//   - the server clock, the real clock plus SetClockSkew's skew, which the
//     gateway checks Timestamp, SignatureNonce and STS tokens against and
//     Push its ExpireTime, PushTime and IdempotentToken;
//   - the message clock, the real clock plus what Advance added, which
//     message lifetimes and QueryPushStatByMsg's settle delay run on.
//
// Advance ages messages without breaking signatures; SetClockSkew makes
// the simulator's clock disagree with the caller's, as a machine with a
// wrong clock would see the real service.

// SetClockSkew sets how far the server clock is from the real clock: with
// d = 20*time.Minute, a request signed now is 20 minutes in the past for
// the simulator and is refused InvalidTimeStamp.Expired.
func (s *Server) SetClockSkew(d time.Duration) {
	s.skew.Store(int64(d))
}

// ClockSkew returns the server clock's skew.
func (s *Server) ClockSkew() time.Duration {
	return time.Duration(s.skew.Load())
}

// serverNow returns the server clock.
func (s *Server) serverNow() time.Time {
	return time.Now().Add(time.Duration(s.skew.Load()))
}

// Advance moves the message clock forward by d (expiry and creation times).
// Signature timestamps are checked against the server clock all the same.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// Now returns the message clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// now returns the message clock; s.mu must be held.
func (s *Server) now() time.Time {
	return time.Now().Add(s.offset)
}
