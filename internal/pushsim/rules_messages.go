package pushsim

import (
	"net/http"
	"strings"
)

// continuousRules are ContinuouslyPush's and CompleteContinuouslyPush's.
func continuousRules() []Rule {
	cp := func(kvs ...string) func(*Server) Call {
		return func(s *Server) Call {
			p := with(kv("AppKey", ruleAppKey, "MessageId", s.ruleMessage(), "Target", TargetDevice, "TargetValue", "d1,d2"), kvs...)
			return Call{Action: ActionContinuouslyPush, Params: p}
		}
	}
	on := func(prepare func(s *Server, id string)) func(*Server) Call {
		return func(s *Server) Call {
			c := cp()(s)
			prepare(s, c.Params["MessageId"])
			return c
		}
	}
	complete := func(prepare func(s *Server, id string)) func(*Server) Call {
		return func(s *Server) Call {
			id := s.ruleMessage()
			if prepare != nil {
				prepare(s, id)
			}
			return Call{Action: ActionCompleteContinuouslyPush, Params: kv("AppKey", ruleAppKey, "MessageId", id)}
		}
	}
	completed := func(s *Server, id string) { s.mu.Lock(); s.messages[id].completed = true; s.mu.Unlock() }
	expired := func(s *Server, _ string) { s.Advance(DefaultMessageTTL) }
	direct := func(s *Server) Call {
		s.mu.Lock()
		id, _ := s.store(23267207, TargetDevice, Content{})
		s.mu.Unlock()
		return Call{Action: ActionContinuouslyPush, Params: kv("AppKey", ruleAppKey, "MessageId", id, "Target", TargetDevice, "TargetValue", "d1")}
	}
	ok, bad := http.StatusOK, http.StatusBadRequest
	required := "AppKey, MessageId, Target and TargetValue are required; Missing{ParameterName} 400 (PageErrors)"
	nf, ex, done, over := DefaultCodes.MessageNotFound, DefaultCodes.MessageExpired, DefaultCodes.MessageCompleted, DefaultCodes.MessageLimitExceeded
	return []Rule{
		{Name: "ContinuouslyPush: 1000 devices", Page: PageContinuouslyPush, Says: "up to 1,000 targets per call",
			Status: ok, Prepare: cp("TargetValue", valuesOf("d", MaxTargetsPerCall))},
		{Name: "ContinuouslyPush: no MessageId", Page: PageContinuouslyPush, Says: required, Status: bad, Code: "MissingMessageId", Prepare: cp("MessageId", "")},
		{Name: "ContinuouslyPush: no Target", Page: PageContinuouslyPush, Says: required, Status: bad, Code: "MissingTarget", Prepare: cp("Target", "")},
		{Name: "ContinuouslyPush: no TargetValue", Page: PageContinuouslyPush, Says: required, Status: bad, Code: "MissingTargetValue", Prepare: cp("TargetValue", "")},
		{Name: "ContinuouslyPush: Target TAG", Page: PageContinuouslyPush, Says: "supports only DEVICE, ACCOUNT and ALIAS; Invalid{ParameterName} 400",
			Status: bad, Code: "InvalidTarget", Prepare: cp("Target", TargetTag)},
		{Name: "ContinuouslyPush: Target TBD", Page: PageContinuouslyPush, Says: "supports only DEVICE, ACCOUNT and ALIAS",
			Status: bad, Code: "InvalidTarget", Prepare: cp("Target", TargetTBD)},
		{Name: "ContinuouslyPush: 1001 aliases", Page: PageContinuouslyPush, Says: "Target=ALIAS: up to 1,000",
			Status: bad, Code: "InvalidTargetValue", Prepare: cp("Target", TargetAlias, "TargetValue", valuesOf("a", MaxTargetsPerCall+1))},
		{Name: "ContinuouslyPush: a trailing comma", Page: PageSimulator, Says: "docs silent on empty values; strict reading: refused",
			Status: bad, Code: "InvalidTargetValue", Prepare: cp("TargetValue", "d1,")},
		{Name: "ContinuouslyPush: a 65-byte account", Page: PageLimits, Says: "an account must be 64 bytes or less",
			Status: bad, Code: "InvalidTargetValue", Prepare: cp("Target", TargetAccount, "TargetValue", strings.Repeat("a", maxAccountBytes+1))},
		{Name: "ContinuouslyPush: unknown MessageId", Page: PageSimulator, Says: "undocumented code, Config.Codes.MessageNotFound",
			Status: nf.Status, Code: nf.Code, Prepare: cp("MessageId", "999999999")},
		{Name: "ContinuouslyPush: another AppKey's MessageId", Page: PageSimulator, Says: "docs silent; strict reading: the AppKey has no such message",
			Status: nf.Status, Code: nf.Code, Prepare: cp("AppKey", "23267208")},
		{Name: "ContinuouslyPush: a MessageId of Push to devices", Page: PageContinuouslyPush, Says: "the MessageId comes from Push with Target=TBD; Config.Codes.MessageNotFound",
			Status: nf.Status, Code: nf.Code, Prepare: direct},
		{Name: "ContinuouslyPush: message 24 hours old", Page: PageContinuouslyPush, Says: "stored 24 hours by default; pushes are not allowed after expiration (Config.Codes.MessageExpired)",
			Status: ex.Status, Code: ex.Code, Prepare: on(expired)},
		{Name: "ContinuouslyPush: completed message", Page: PageComplete, Says: "completing ends the task (Config.Codes.MessageCompleted)",
			Status: done.Status, Code: done.Code, Prepare: on(completed)},
		{Name: "ContinuouslyPush: over 10,000 pushes", Page: PageContinuouslyPush, Says: "the total number of pushes for the same MessageId is restricted to 10,000 (Config.Codes.MessageLimitExceeded)",
			Status: over.Status, Code: over.Code, Prepare: on(func(s *Server, id string) { s.ruleFill(id, DefaultMessageLimit-1) })},
		{Name: "ContinuouslyPush: the 10,000th push", Page: PageContinuouslyPush, Says: "restricted to 10,000",
			Status: ok, Prepare: func(s *Server) Call {
				c := cp("TargetValue", "last")(s)
				s.ruleFill(c.Params["MessageId"], DefaultMessageLimit-1)
				return c
			}},
		{Name: "CompleteContinuouslyPush: a TBD message", Page: PageComplete, Says: "ends the continuous push task", Status: ok, Prepare: complete(nil)},
		{Name: "CompleteContinuouslyPush: no MessageId", Page: PageComplete, Says: "AppKey and MessageId are required", Status: bad, Code: "MissingMessageId",
			Prepare: func(*Server) Call {
				return Call{Action: ActionCompleteContinuouslyPush, Params: kv("AppKey", ruleAppKey)}
			}},
		{Name: "CompleteContinuouslyPush: unknown MessageId", Page: PageSimulator, Says: "undocumented code, Config.Codes.MessageNotFound",
			Status: nf.Status, Code: nf.Code,
			Prepare: func(*Server) Call {
				return Call{Action: ActionCompleteContinuouslyPush, Params: kv("AppKey", ruleAppKey, "MessageId", "42")}
			}},
		{Name: "CompleteContinuouslyPush: completed twice", Page: PageSimulator, Says: "docs silent on completing an ended task; strict reading: Config.Codes.MessageCompleted",
			Status: done.Status, Code: done.Code, Prepare: complete(completed)},
		{Name: "CompleteContinuouslyPush: expired message", Page: PageComplete, Says: "a task ends at its expiry; strict reading: Config.Codes.MessageExpired",
			Status: ex.Status, Code: ex.Code, Prepare: complete(func(s *Server, id string) { expired(s, id) })},
	}
}

// statRules are QueryPushStatByMsg's.
func statRules() []Rule {
	query := func(id func(s *Server) string) func(*Server) Call {
		return func(s *Server) Call {
			return Call{Action: ActionQueryPushStatByMsg, Params: kv("AppKey", ruleAppKey, "MessageId", id(s))}
		}
	}
	fixed := func(id string) func(*Server) string { return func(*Server) string { return id } }
	nf := DefaultCodes.MessageNotFound
	return []Rule{
		{Name: "QueryPushStatByMsg: a message", Page: PageQueryPushStatByMsg, Says: "AppKey and MessageId; PushStats.PushStat[]",
			Status: http.StatusOK, Prepare: query((*Server).ruleMessage)},
		{Name: "QueryPushStatByMsg: no MessageId", Page: PageQueryPushStatByMsg, Says: "MessageId is required", Status: http.StatusBadRequest,
			Code: "MissingMessageId", Prepare: query(fixed(""))},
		{Name: "QueryPushStatByMsg: MessageId not an integer", Page: PageQueryPushStatByMsg, Says: "MessageId is an integer; Invalid%s.Format 400 (PagePushV2)",
			Status: http.StatusBadRequest, Code: "InvalidMessageId.Format", Prepare: query(fixed("msg-1"))},
		{Name: "QueryPushStatByMsg: unknown MessageId", Page: PageSimulator, Says: "docs silent; strict reading: Config.Codes.MessageNotFound",
			Status: nf.Status, Code: nf.Code, Prepare: query(fixed("999999999"))},
	}
}
