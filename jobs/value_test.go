package jobs_test

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// deviceRule is a device ID as the rule below writes it.
var deviceRule = regexp.MustCompile(`^[0-9a-z]{32}$`)

// valueRule is the rule ValidateValue enforces, written rune by rune as
// the slow and obvious check: its fast path for plain ASCII must accept
// exactly what this accepts.
func valueRule(target, v string) bool {
	return v != "" && utf8.ValidString(v) && !strings.Contains(v, ",") &&
		!strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == 0x85 || r == 0xA0 }) &&
		!strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) &&
		len(v) <= jobs.MaxValueBytes[target] && (target != push.TargetDevice || deviceRule.MatchString(v))
}

func FuzzValidateValue(f *testing.F) {
	for _, seed := range []string{"", "a", "a,b", "a b", "\x7f", "~", "!", "user\u200b", "\xff",
		"0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdeF", strings.Repeat("a", 129)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, target := range []string{push.TargetDevice, push.TargetAccount, push.TargetAlias} {
			if got, want := jobs.ValidateValue(target, v, 0) == nil, valueRule(target, v); got != want {
				t.Errorf("ValidateValue(%s, %q) accepts: %v, the rule: %v", target, v, got, want)
			}
		}
	})
}

// TestValidateValue_Random checks ValidateValue against the rule on random
// values of the bytes at the edges of the fast path.
func TestValidateValue_Random(t *testing.T) {
	alphabet := []string{"a", "z", "0", "9", "A", "-", "_", ",", " ", "\t", "\x00", "\x1f", "!", "~", "\x7f",
		"\u00a0", "\u200b", "\u202e", "é", "用", "\xff"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		v := b.String()
		if r.IntN(4) == 0 { // device-like values reach the device check
			v = strings.Repeat("a", 31) + alphabet[r.IntN(len(alphabet))]
		}
		for _, target := range []string{push.TargetDevice, push.TargetAccount, push.TargetAlias} {
			if got, want := jobs.ValidateValue(target, v, 0) == nil, valueRule(target, v); got != want {
				t.Fatalf("ValidateValue(%s, %q) accepts: %v, the rule: %v", target, v, got, want)
			}
		}
	}
}
