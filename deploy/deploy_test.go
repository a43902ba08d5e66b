// Package deploy_test checks the local-trial compose file: no Docker engine
// runs where the tests do, so the file is read, not run. The Kubernetes
// manifests are checked against their schemas by check/check.mjs in CI.
package deploy_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cpush/cpush/config"
)

type compose struct {
	Services map[string]struct {
		Command     []string          `yaml:"command"`
		Ports       []string          `yaml:"ports"`
		Environment map[string]string `yaml:"environment"`
		Deploy      struct {
			Replicas int `yaml:"replicas"`
		} `yaml:"deploy"`
	} `yaml:"services"`
}

func TestCompose(t *testing.T) {
	raw, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	redis := c.Services["redis"]
	if !slices.Contains(redis.Command, "--appendonly") || redis.Command[slices.Index(redis.Command, "--appendonly")+1] != "yes" {
		t.Errorf("redis command %v, want AOF persistence (--appendonly yes)", redis.Command)
	}
	if w := c.Services["worker"]; w.Deploy.Replicas != 2 || len(w.Command) == 0 || w.Command[0] != "worker" {
		t.Errorf("worker: replicas %d, command %v; want 2 replicas of cpush worker", w.Deploy.Replicas, w.Command)
	}
	if url := c.Services["worker"].Environment["CPUSH_REDIS_URL"]; url != "redis://redis:6379/0" {
		t.Errorf("worker's CPUSH_REDIS_URL = %q, want the compose Redis", url)
	}
	if s := c.Services["sim"]; len(s.Command) == 0 || s.Command[0] != "sim" {
		t.Errorf("sim command %v, want cpush sim", s.Command)
	}
	known := map[string]bool{}
	for _, s := range config.Table() {
		known[s.Env] = true
	}
	for name, svc := range c.Services {
		for k := range svc.Environment {
			if !known[k] {
				t.Errorf("service %s sets %s, which is not a cpush setting", name, k)
			}
		}
	}
	if !strings.Contains(string(raw), "CPUSH_API_TOKENS") {
		t.Error("compose.yaml publishes the API without CPUSH_API_TOKENS")
	}
	for name, svc := range c.Services {
		for _, p := range svc.Ports {
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("service %s publishes %q on every interface, want 127.0.0.1 only", name, p)
			}
		}
		if tok := svc.Environment["CPUSH_API_TOKENS"]; tok != "" && !strings.HasPrefix(tok, "${CPUSH_API_TOKENS:?") {
			t.Errorf("service %s has the literal token %q, want it from the environment", name, tok)
		}
	}
}
