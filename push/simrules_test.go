package push_test

import (
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/push"
)

// classOfCode is how cpush must class each answer the simulator's rules
// give: every code a rule answers with must be listed here, so a new rule
// cannot land without a decision on what cpush does with it.
var classOfCode = map[string]push.Class{
	"Throttling.User":                            push.ClassWait,
	"Throttling.Api":                             push.ClassWait,
	"InvalidTimeStamp.Expired":                   push.ClassClock,
	"ServiceUnavailable":                         push.ClassTransient,
	"InternalError":                              push.ClassTransient,
	"SignatureNonceUsed":                         push.ClassTransient,
	"InvalidSecurityToken.Expired":               push.ClassTransient,
	"MessageNotFound":                            push.ClassRollover,
	"MessageExpired":                             push.ClassRollover,
	"MessageCompleted":                           push.ClassRollover,
	"MessageLimitExceeded":                       push.ClassRollover,
	"SignatureDoesNotMatch":                      push.ClassPermanent,
	"IncompleteSignature":                        push.ClassPermanent,
	"InvalidAccessKeyId.NotFound":                push.ClassPermanent,
	"InvalidAccessKeyId.Inactive":                push.ClassPermanent,
	"InvalidSecurityToken.Malformed":             push.ClassPermanent,
	"InvalidSecurityToken.MismatchWithAccessKey": push.ClassPermanent,
	"InvalidTimeStamp.Format":                    push.ClassPermanent,
	"InvalidApi.NotFound":                        push.ClassPermanent,
	"Forbidden":                                  push.ClassPermanent,
	"Forbidden.RAM":                              push.ClassPermanent,
	"PermissionDenied":                           push.ClassPermanent,
	"Simulator.TargetNotModeled":                 push.ClassPermanent,
	// A request URL over the gateway's limit fails the same way again:
	// the chunk fails, and CPUSH_VALUES_PER_CALL is the operator's remedy.
	"Simulator.URITooLong": push.ClassPermanent,
}

// classOfPrefix covers the parameter families: Missing{Name} and
// Invalid{Name}[.Format] refuse the call as sent, for good.
var classOfPrefix = map[string]push.Class{
	"Missing": push.ClassPermanent,
	"Invalid": push.ClassPermanent,
}

func wantClass(code string) (push.Class, bool) {
	if c, ok := classOfCode[code]; ok {
		return c, true
	}
	for prefix, c := range classOfPrefix {
		if strings.HasPrefix(code, prefix) {
			return c, true
		}
	}
	return 0, false
}

// TestClassifyCode_SimulatorRules runs every rule of the simulator, each
// written from the page it cites, and checks the class cpush gives its
// answer. The table it logs (go test -v) is the rule, its page, the
// answer and the class.
func TestClassifyCode_SimulatorRules(t *testing.T) {
	var table []string
	for _, r := range pushsim.Rules() {
		if r.Code == "" {
			continue // the call succeeds
		}
		t.Run(r.Name, func(t *testing.T) {
			s := pushsim.New(r.Config)
			ts := httptest.NewServer(s)
			defer ts.Close()
			res, err := r.Run(s, ts.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, ok := wantClass(res.Code)
			if !ok {
				t.Fatalf("the simulator answers %d %s (%s): add it to classOfCode with the class cpush must give it", res.Status, res.Code, r.Page)
			}
			got := push.ClassifyCode(res.Code, res.Status)
			if got != want {
				t.Errorf("ClassifyCode(%s, %d) = %v, want %v", res.Code, res.Status, got, want)
			}
			table = append(table, fmt.Sprintf("%-60s %-10s %d %-40s %v", r.Name, r.Page, res.Status, res.Code, got))
		})
	}
	sort.Strings(table)
	t.Logf("rule, page, answer, class:\n%s", strings.Join(table, "\n"))
}
