// Package pushsim simulates the Alibaba Cloud Mobile Push RPC API (version
// 2016-08-01) closely enough that the unmodified Go SDK
// (github.com/aliyun/alibaba-cloud-sdk-go/services/push) can call it over
// HTTP, and strictly enough that tests can prove exactly-once delivery and
// every limit with it.
//
// # Use
//
// A *Server is an http.Handler:
//
//	sim := pushsim.New(pushsim.Config{})
//	ts := httptest.NewServer(sim) // or ListenAndServe(ctx, addr, sim), Serve(ctx, ln, sim)
//
// Point the SDK at it with the test pair (TestAccessKeyID,
// TestAccessKeySecret), AutoRetry off, and on each request Domain = the
// listener's host:port and Scheme = "http". Then read sim.Stats().
//
// # The API
//
// Push with Target=TBD stores a message (AppKey, PushType MESSAGE or
// NOTICE, DeviceType iOS, ANDROID, ALL or HARMONY, Body, and Title for a
// NOTICE; no PushTime) and returns its MessageId; other targets are refused
// because the simulator only stores messages. ContinuouslyPush delivers a
// stored message to up to 1,000 comma-separated DEVICE, ACCOUNT or ALIAS
// values, within the message's limit (Config.MessageLimit pushes, counted
// in Config.LimitUnit) and lifetime (Config.MessageTTL on the message
// clock). CompleteContinuouslyPush ends a message; doing it twice succeeds.
// A message of another AppKey is not found. Success answers 200 with
// {"MessageId","RequestId"}.
//
// # Checks and codes
//
// A call is checked in this order; the first failure answers JSON
// {"RequestId","HostId","Code","Message","Recommend"} (all strings):
//
//	malformed query or body, a parameter twice    400 InvalidParameter
//	a common parameter missing                    400 Missing<Name> (MissingSignature, ...)
//	AccessKeyId not the configured one            404 InvalidAccessKeyId.NotFound
//	SignatureMethod not HMAC-SHA1, SignatureVersion not 1.0
//	                                              400 IncompleteSignature
//	signature wrong                               400 SignatureDoesNotMatch
//	Timestamp not 2006-01-02T15:04:05Z            400 InvalidTimeStamp.Format
//	Timestamp over 15 min from the real clock     400 InvalidTimeStamp.Expired
//	SignatureNonce used within 15 min             400 SignatureNonceUsed
//	Version not 2016-08-01                        400 InvalidVersion
//	Format not JSON                               400 InvalidParameter
//	unknown Action                                404 InvalidAction.NotFound
//	over the action's QPS quota                   400 Throttling.User
//	ContinuouslyPush: ThrottleRate                400 Throttling.User
//	ContinuouslyPush: TransientFaultRate          503 ServiceUnavailable (nothing delivered)
//	an action parameter missing                   400 Missing<Name> (MissingAppKey, ...)
//	an action parameter invalid                   400 InvalidParameter (Message names it)
//	ContinuouslyPush, Complete: unknown MessageId or another AppKey's
//	                                              404 MessageNotFound
//	ContinuouslyPush: message expired             400 MessageExpired
//	ContinuouslyPush: message completed           400 MessageCompleted
//	ContinuouslyPush: over the message's limit    400 MessageLimitExceeded (nothing delivered)
//	ContinuouslyPush: AmbiguousFaultRate          delivered, then 500 InternalError
//	                                              or, in AmbiguousDrop mode, no answer at all
//
// The signature is RPC v1: HMAC-SHA1, keyed with secret + "&", of
// method + "&%2F&" + percentEncode(the sorted, RFC 3986-encoded query and
// form parameters but Signature). A SignatureDoesNotMatch message carries
// the server's string to sign, as the real service's does, so the SDK can
// tell a wrong secret from a bug. Codes package push names are its constants;
// the others are this package's Code constants.
//
// # Knobs
//
// Config sets the credentials, message TTL and limit and its unit, a QPS
// quota and burst per action, an added latency, the fault rates and the
// seed of the fault RNG. SetFaults, SetQPS and SetLatency change them at
// run time; Advance moves the message clock (expiry) but not the clock
// signatures are checked against, so the SDK keeps working.
//
// # Report and controls
//
// Stats returns a deep copy of the counts: calls by action and code,
// deliveries by "TARGETTYPE:value", each message's use, duplicate
// deliveries, violations (refusals a correct client never causes) and the
// most values seen in one call. The same handler serves, with no
// signature, under /sim/:
//
//	GET  /sim/stats                                    Stats as JSON
//	POST /sim/reset                                    Reset
//	POST /sim/advance?d=25h                            Advance
//	POST /sim/faults?transient=&ambiguous=&throttle=   SetFaults (missing = 0)
//	POST /sim/qps?action=ContinuouslyPush&qps=5&burst= SetQPS
//	POST /sim/latency?d=50ms                           SetLatency
package pushsim
