// Package pushsim simulates the Alibaba Cloud Mobile Push RPC API (version
// 2016-08-01) closely enough that the unmodified Go SDK
// (github.com/aliyun/alibaba-cloud-sdk-go/services/push) can call it over
// HTTP, and strictly enough that tests can prove exactly-once delivery and
// every documented rule with it.
//
// Its rules come from the service's documentation, not from cpush's
// adapter: every check names its page in a comment (the Page constants),
// "Docs silent: ... strict reading: ..." marks the simulator's own reading
// where a page says nothing, and the package imports no cpush package.
// docs/simulator.md lists every rule with its page, the assumptions and the
// knobs.
//
// # Use
//
// A *Server is an http.Handler:
//
//	sim := pushsim.New(pushsim.Config{})
//	ts := httptest.NewServer(sim) // or ListenAndServe(ctx, addr, sim), Serve(ctx, ln, sim)
//
// Point the SDK at it with the test pair (TestAccessKeyID,
// TestAccessKeySecret, owned by main account DefaultAccount), AutoRetry
// off, and on each request Domain = the listener's host:port and Scheme =
// "http". Then read sim.Stats().
//
// # The API
//
// Push with Target=TBD stores a message for ContinuouslyPush (24 hours,
// 10,000 pushes); with DEVICE, ACCOUNT or ALIAS and up to 1,000 values it
// delivers at once under a MessageId of its own; TAG and ALL it refuses as
// not modeled. ContinuouslyPush delivers a stored message to up to 1,000
// DEVICE, ACCOUNT or ALIAS values within the message's limit
// (Config.MessageLimit, counted in Config.LimitUnit) and life
// (Config.MessageTTL on the message clock). CompleteContinuouslyPush ends
// a message. QueryPushStatByMsg counts what a message was delivered to.
// Push checks its parameters as its page documents them: the required
// ones, the enumerations, Title's 200 bytes and the 1800-byte content
// limits, ExpireTime and PushTime, JobKey, iOSBadge, the ExtParameters as
// JSON maps, IdempotentToken.
//
// # Answers
//
// A call is checked in this order; the first failure answers JSON
// {"RequestId","HostId","Code","Message","Recommend"}:
//
//	request URI over Config.MaxURLBytes          414 Simulator.URITooLong
//	malformed query or body, a parameter twice   400 InvalidParameter
//	a common parameter missing                   400 Missing{Name}
//	AccessKeyId unknown / disabled               400 InvalidAccessKeyId.NotFound / .Inactive
//	SignatureMethod, SignatureVersion            400 InvalidSignatureMethod, IncompleteSignature
//	signature wrong                              400 SignatureDoesNotMatch
//	Timestamp not ISO 8601 / over 15 min         400 InvalidTimeStamp.Format / .Expired
//	SignatureNonce used within 15 min            400 SignatureNonceUsed
//	STS token missing, expired, another key's, unknown
//	                                             400 MissingSecurityToken, InvalidSecurityToken.*
//	Version not 2016-08-01, unknown Action       404 InvalidApi.NotFound
//	Format not JSON                              400 InvalidParameter.Format
//	a RAM deny list                              403 Forbidden.RAM (or Forbidden)
//	API flow control (Config.APIQPS)             400 Throttling.Api
//	over the main account's quota                400 Throttling.User
//	ContinuouslyPush: ThrottleRate               400 Throttling.User
//	ContinuouslyPush: TransientFaultRate         503 ServiceUnavailable (nothing delivered)
//	AppKey not the AccessKey's                   400 PermissionDenied
//	an action parameter missing                  400 Missing{Name}
//	a value of the wrong form                    400 Invalid{Name}.Format
//	a value the parameter does not take          400 Invalid{Name}
//	Push: Target TAG or ALL                      400 Simulator.TargetNotModeled
//	unknown, expired, completed, exhausted MessageId
//	                                             Config.Codes (MessageNotFound 404, ...)
//	ContinuouslyPush: AmbiguousFaultRate         delivered, then 500 InternalError
//	                                             or, in AmbiguousDrop mode, no answer
//
// The signature is RPC v1: HMAC-SHA1, keyed with secret + "&", of
// method + "&%2F&" + percentEncode(the sorted, RFC 3986-encoded query and
// form parameters but Signature). A SignatureDoesNotMatch message carries
// the server's string to sign, as the real service's does, so the SDK can
// tell a wrong secret from a bug.
//
// # Knobs
//
// Config sets the credentials (main accounts, STS tokens, deny lists),
// message TTL and limit, the quotas (documented by default; NoQuotas, QPS,
// APIQPS), the undocumented codes, QueryPushStatByMsg's shares and settle
// delay, the URL bound, latency and faults. AddCredential,
// RemoveCredential, SetNoQuotas, SetQPS, SetStatModel, SetMaxURLBytes,
// SetLatency and SetFaults change them at run time; Advance moves the
// message clock (expiry, settling) and SetClockSkew the server clock
// (Timestamp, STS expiry, ExpireTime, PushTime).
//
// # Rules, report and controls
//
// Rules returns every rule as a Call and its answer with its page, for
// other packages to run. Stats returns a deep copy of the counts: calls by
// action and code, deliveries by "TARGETTYPE:value", each message's use,
// duplicate deliveries, violations (refusals a correct client never
// causes) and the most values seen in one call. The same handler serves,
// with no signature, under /sim/: stats, counts, reset, advance,
// clock-skew, faults, qps, quotas, stat-model, max-url, latency,
// credentials and credentials/remove (docs/simulator.md).
package pushsim
