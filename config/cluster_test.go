package config

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestConfig_RedisClient(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		cluster bool
		addrs   int
		wantErr string
	}{
		{"single", map[string]string{"CPUSH_REDIS_URL": "redis://:pw@h:6379/1"}, false, 1, ""},
		{"cluster", map[string]string{"CPUSH_REDIS_URL": "redis://:pw@h1:7000?addr=h2:7001&addr=h3:7002", "CPUSH_REDIS_CLUSTER": "true"}, true, 3, ""},
		{"cluster bad scheme", map[string]string{"CPUSH_REDIS_URL": "http://:hunter2@h1:7000", "CPUSH_REDIS_CLUSTER": "1"}, true, 0, "CPUSH_REDIS_URL"},
		{"sentinel", map[string]string{"CPUSH_REDIS_URL": "redis://:pw@s1:26379?master_name=mymaster&addr=s2:26379"}, false, 0, ""},
		{"sentinel bad option", map[string]string{"CPUSH_REDIS_URL": "redis://:hunter2@s1:26379?master_name=m&nope=1"}, false, 0, "not a Redis Sentinel URL"},
		{"cluster bad option", map[string]string{"CPUSH_REDIS_URL": "redis://:hunter2@h1:7000?nope=1", "CPUSH_REDIS_CLUSTER": "true"}, true, 0, "not a Redis Cluster URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(func(k string) string { return tt.env[k] }, "")
			if err != nil {
				t.Fatal(err)
			}
			rdb, err := c.RedisClient()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("RedisClient error = %v, want one with %q and no password", err, tt.wantErr)
				}
				if verr := c.Validate(false); verr == nil {
					t.Errorf("Validate accepted what RedisClient refuses")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			_, isCluster := rdb.(*redis.ClusterClient)
			if isCluster != tt.cluster {
				t.Errorf("client is %T, want cluster %v", rdb, tt.cluster)
			}
			if cc, ok := rdb.(*redis.ClusterClient); ok && len(cc.Options().Addrs) != tt.addrs {
				t.Errorf("cluster addresses = %v, want %d", cc.Options().Addrs, tt.addrs)
			}
		})
	}
	if _, err := Load(func(k string) string {
		return map[string]string{"CPUSH_REDIS_CLUSTER": "maybe"}[k]
	}, ""); err == nil || !strings.Contains(err.Error(), "CPUSH_REDIS_CLUSTER: must be true or false") {
		t.Errorf("Load(CPUSH_REDIS_CLUSTER=maybe) = %v, want a rule naming it", err)
	}
}
