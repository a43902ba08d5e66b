package main

import (
	"context"
	"strings"
	"testing"
)

func TestSend_DryRunDirect(t *testing.T) {
	file := writeTargets(t, "alice", "bob", "alice")
	vars := map[string]string{"CPUSH_REDIS_URL": "redis://127.0.0.1:1"} // never dialled
	tests := []struct {
		name  string
		extra map[string]string
		want  string
	}{
		{name: "direct path", want: "1 Push call with the 2 targets (the direct path"},
		{name: "direct path off", extra: map[string]string{"CPUSH_DIRECT_PUSH": "false"}, want: "1 ContinuouslyPush calls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range vars {
				env[k] = v
			}
			for k, v := range tt.extra {
				env[k] = v
			}
			out, _, err := runCmd(t, context.Background(), env, "send", "--app-key", "23267207", "--target", "account",
				"--targets-file", file, "--title", "T", "--body", "B", "--dry-run")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("dry run output lacks %q:\n%s", tt.want, out)
			}
		})
	}
}
