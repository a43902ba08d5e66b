package worker_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/internal/syncbuf"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/push/alibaba"
	"github.com/cpush/cpush/worker"
)

// TestWorker_NoSignedURLOnNetworkError points a worker at a port where
// nothing listens. The SDK's error for a call that got no answer quotes
// the whole signed request URL: the AccessKey ID, the STS token, the
// signature, the message and up to 1,000 targets. None of it may reach the
// log or Redis, where asynq keeps each task's last error and the UI shows
// it, even read-only.
func TestWorker_NoSignedURLOnNetworkError(t *testing.T) {
	const stsToken = "sts-token-that-must-not-leak-0123456789"
	svc, err := alibaba.New(alibaba.Config{Region: "cn-hangzhou", Endpoint: "http://" + closedAddr(t),
		AccessKeyID: "STS.leak-test-id", AccessKeySecret: "leak-test-secret", SecurityToken: stsToken,
		ConnectTimeout: time.Second, ReadTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	e := setup(t, pushsim.Config{}, worker.Options{MaxRetry: 1})
	logs := &syncbuf.Buffer{}
	e.opts.Logger = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(logs), zap.DebugLevel))
	e.startWorkerWith(svc, 4)
	byID := jobs.Job{AppKey: testAppKey, Target: push.TargetDevice, Targets: devices("l", 20), MessageID: "500131"} // ContinuouslyPush: the targets
	content := contentJob(devices("c", 20))                                                                         // Push: the message
	for _, j := range []jobs.Job{byID, content} {
		st := e.wait(e.enqueue(j).ID, 30*time.Second)
		if st.Status != jobs.StatusFailed || st.Failed[push.CodeNetwork] != 20 {
			t.Fatalf("job ended %s with %v failed, want failed with 20 %s", st.Status, st.Failed, push.CodeNetwork)
		}
	}
	stored := e.dumpRedis()
	for _, secret := range []string{"Signature=", "AccessKeyId=", "SecurityToken=", stsToken, "Title=", "TargetValue="} {
		if i := strings.Index(logs.String(), secret); i >= 0 {
			t.Errorf("the log holds %q: ...%s...", secret, excerpt(logs.String(), i))
		}
		if i := strings.Index(stored, secret); i >= 0 {
			t.Errorf("Redis holds %q: ...%s...", secret, excerpt(stored, i))
		}
	}
	// A failed chunk is counted, not retried by asynq, so the log says why.
	if l := logs.String(); !strings.Contains(l, push.CodeNetwork) || !strings.Contains(l, "connection refused") {
		t.Errorf("the log does not say what failed: the error must stay useful")
	}
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// dumpRedis returns every value under the test's prefix and its asynq
// queues, as text.
func (e *env) dumpRedis() string {
	e.t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, pattern := range []string{e.prefix + ":*", "asynq:{" + e.prefix + ":*"} {
		iter := e.rdb.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			key := iter.Val()
			b.WriteString(key + "\n")
			switch e.rdb.Type(ctx, key).Val() {
			case "string":
				b.WriteString(e.rdb.Get(ctx, key).Val())
			case "hash":
				for k, v := range e.rdb.HGetAll(ctx, key).Val() {
					b.WriteString(k + "=" + v + "\n")
				}
			case "list":
				b.WriteString(strings.Join(e.rdb.LRange(ctx, key, 0, -1).Val(), "\n"))
			case "zset":
				b.WriteString(strings.Join(e.rdb.ZRange(ctx, key, 0, -1).Val(), "\n"))
			case "set":
				b.WriteString(strings.Join(e.rdb.SMembers(ctx, key).Val(), "\n"))
			}
			b.WriteString("\n")
		}
		if err := iter.Err(); err != nil {
			e.t.Fatal(err)
		}
	}
	return b.String()
}

func excerpt(s string, i int) string { return s[max(0, i-80):min(len(s), i+120)] }
