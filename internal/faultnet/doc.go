// Package faultnet is a TCP proxy on loopback that puts network faults
// between a client and a server, for tests: cpush's workers reach Redis or
// the push service through it, and the test cuts them off in each of the
// ways a network fails.
//
// A Proxy is in one Mode at a time:
//
//	Pass         forwards both ways
//	Refuse       closes its listener (new connections are refused) and
//	             resets the connections it has
//	Blackhole    accepts connections and holds them open, but forwards
//	             nothing either way; leaving it resets them
//	DropAnswers  forwards each request, then resets the connection when the
//	             answer begins, before any byte of it reaches the client
//
// Hold holds the answers to chosen requests (an HTTP request line that
// contains a string, such as "Action=ContinuouslyPush") until Release, so
// a test can kill the client that sent one while its request was carried
// out but before it heard so.
//
// The proxy knows requests from answers by turns, as HTTP/1.1 without
// pipelining and Redis without pipelines take them: client bytes after an
// answer begin a request, server bytes after a request begin its answer.
package faultnet
