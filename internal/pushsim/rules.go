package pushsim

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Rule is one rule of the simulated API with the page it comes from: a
// call that meets or breaks it and the simulator's answer. Rules lists
// them all so that other packages can run the same calls (and, say, check
// how they class each answer) without importing anything of cpush:
//
//	for _, r := range pushsim.Rules() {
//		s := pushsim.New(r.Config)
//		ts := httptest.NewServer(s)
//		res, err := r.Run(s, ts.URL, nil) // res.Status == r.Status, res.Code == r.Code
//		...
//	}
type Rule struct {
	// Name says what the call does, as "Push: Title over 200 bytes".
	Name string
	// Page is where the rule is documented: one of the Page constants
	// (PageSimulator for the simulator's own reading).
	Page string
	// Says is what the page says, or the assumption where it is silent.
	Says string
	// Status and Code are the answer: 200 and "" when the call succeeds.
	Status int
	Code   string
	// Config is the simulator configuration the rule runs under.
	Config Config
	// Prepare readies a simulator made with Config (stores a message, uses
	// up a quota, ...) and returns the call.
	Prepare func(s *Server) Call
}

// Run prepares s (a simulator made with r.Config, listening at baseURL),
// sends r's call with client (nil: http.DefaultClient) and returns the
// answer.
func (r Rule) Run(s *Server, baseURL string, client *http.Client) (Result, error) {
	req, err := r.Prepare(s).Request(baseURL)
	if err != nil {
		return Result{}, err
	}
	return Do(client, req)
}

// Rules returns every rule the simulator enforces, in the order of
// docs/simulator.md: the gateway's, Push's, ContinuouslyPush's,
// CompleteContinuouslyPush's and QueryPushStatByMsg's.
func Rules() []Rule {
	var all []Rule
	for _, group := range [][]Rule{gatewayRules(), quotaRules(), pushRules(), pushContentRules(), continuousRules(), statRules()} {
		all = append(all, group...)
	}
	return all
}

// ruleAppKey is the AppKey the rules push with.
const ruleAppKey = "23267207"

// kv returns a map of the key/value pairs kvs.
func kv(kvs ...string) map[string]string {
	m := make(map[string]string, len(kvs)/2)
	for i := 0; i+1 < len(kvs); i += 2 {
		m[kvs[i]] = kvs[i+1]
	}
	return m
}

// with returns a copy of base with the pairs kvs set; an empty value
// deletes the key.
func with(base map[string]string, kvs ...string) map[string]string {
	m := make(map[string]string, len(base)+len(kvs)/2)
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kvs); i += 2 {
		if kvs[i+1] == "" {
			delete(m, kvs[i])
			continue
		}
		m[kvs[i]] = kvs[i+1]
	}
	return m
}

// tbdPush is a valid Push(Target=TBD).
func tbdPush() map[string]string {
	return kv("AppKey", ruleAppKey, "PushType", "NOTICE", "DeviceType", "ALL",
		"Target", TargetTBD, "TargetValue", TargetTBD, "Title", "Hello", "Body", "World")
}

// pushCall returns a Prepare sending Push with tbdPush changed by kvs.
func pushCall(kvs ...string) func(*Server) Call {
	return func(*Server) Call { return Call{Action: ActionPush, Params: with(tbdPush(), kvs...)} }
}

// valuesOf returns n comma-separated values prefix0, prefix1, ...
func valuesOf(prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s%d", prefix, i)
	}
	return b.String()
}

// ruleMessage stores a TBD message of ruleAppKey and returns its MessageId.
func (s *Server) ruleMessage() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := s.store(23267207, TargetTBD, Content{PushType: "NOTICE", DeviceType: "ALL", Title: "Hello", Body: "World"})
	return id
}

// ruleFill delivers n device values to message id.
func (s *Server) ruleFill(id string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messages[id]
	for done := 0; done < n; done += MaxTargetsPerCall {
		k := min(MaxTargetsPerCall, n-done)
		m.deliver(s.now(), TargetDevice, valuesOf(fmt.Sprintf("fill%d-", done), k), k, s.cost(k), s.presize())
	}
}

// ruleExhaust uses up the quota of action for account in DefaultRegion.
func (s *Server) ruleExhaust(account, action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, now := quotaKey{account, DefaultRegion, action}, time.Now()
	for range 2_000_000 { // the largest documented quota is 1,000,000
		if _, ok := s.quotas.allow(k, now); !ok {
			return
		}
	}
}
