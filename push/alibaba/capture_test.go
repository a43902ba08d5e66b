package alibaba_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkpush "github.com/aliyun/alibaba-cloud-sdk-go/services/push"

	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/push/alibaba"
)

// recorder is an HTTP endpoint that answers every call with success and
// keeps the last request the SDK sent, to see exactly what goes on the
// wire.
type recorder struct {
	mu   sync.Mutex
	last *http.Request
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.last = req.Clone(context.Background())
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"RequestId":"rec-1","MessageId":"500131"}`))
}

// query is the last request's query parameters.
func (r *recorder) query(t *testing.T) url.Values {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		t.Fatal("no request reached the recorder")
	}
	return r.last.URL.Query()
}

// setupRecorder returns a recorder and a Client that calls it.
func setupRecorder(t *testing.T) (*recorder, *alibaba.Client, string) {
	t.Helper()
	rec := &recorder{}
	hs := httptest.NewServer(rec)
	t.Cleanup(hs.Close)
	return rec, newClient(t, hs.URL, "recorder-secret"), hs.URL
}

// TestClient_CreateMessage_Wire checks parameters as the SDK sends them.
func TestClient_CreateMessage_Wire(t *testing.T) {
	ctx := context.Background()
	t.Run("silent iOS notification sends iOSMusic empty", func(t *testing.T) {
		rec, c, _ := setupRecorder(t)
		silent := ""
		if _, err := c.CreateMessage(ctx, appKey, push.Message{Body: "b", DeviceType: "iOS", IOS: push.IOSOptions{Sound: &silent}}); err != nil {
			t.Fatal(err)
		}
		q := rec.query(t)
		if v, ok := q["iOSMusic"]; !ok || len(v) != 1 || v[0] != "" {
			t.Errorf("iOSMusic = %v (sent %v), want it sent empty", v, ok)
		}
	})
	t.Run("no sound sends no iOSMusic", func(t *testing.T) {
		rec, c, _ := setupRecorder(t)
		if _, err := c.CreateMessage(ctx, appKey, push.Message{Body: "b", DeviceType: "iOS"}); err != nil {
			t.Fatal(err)
		}
		if _, ok := rec.query(t)["iOSMusic"]; ok {
			t.Error("iOSMusic sent for a message without a sound")
		}
	})
	t.Run("JobKey and ExpireTime of the call", func(t *testing.T) {
		rec, c, _ := setupRecorder(t)
		before := time.Now().UTC()
		msg := push.Message{Title: "t", Body: "b", ExpireAfter: "6h"}
		if _, err := c.CreateMessage(ctx, appKey, msg.ForJob("flash.sale.2026")); err != nil {
			t.Fatal(err)
		}
		q := rec.query(t)
		if got, want := q.Get("JobKey"), push.JobKeyFor("flash.sale.2026"); got != want || !push.ValidJobKey(got) {
			t.Errorf("JobKey = %q, want %q", got, want)
		}
		exp, err := time.Parse("2006-01-02T15:04:05Z", q.Get("ExpireTime"))
		if err != nil {
			t.Fatalf("ExpireTime %q: %v", q.Get("ExpireTime"), err)
		}
		if d := exp.Sub(before); d < 6*time.Hour-time.Second || d > 6*time.Hour+time.Minute {
			t.Errorf("ExpireTime is %s after the call, want 6h", d)
		}
	})
}

// TestExtraKinds checks cpush's boolean and integer Push parameters
// against the SDK's PushRequest types, leaving out those a Message types
// (StoreOffline, iOSBadge, iOSBadgeAutoIncrement) or cpush sets (AppKey).
func TestExtraKinds(t *testing.T) {
	typed := map[string]bool{"StoreOffline": true, "iOSBadge": true, "iOSBadgeAutoIncrement": true, "AppKey": true}
	var bools, ints []string
	typ := reflect.TypeOf(sdkpush.PushRequest{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		name := f.Tag.Get("name")
		switch {
		case name == "" || typed[name]:
		case f.Type == reflect.TypeOf(requests.Boolean("")):
			bools = append(bools, name)
		case f.Type == reflect.TypeOf(requests.Integer("")):
			ints = append(ints, name)
		}
	}
	for _, c := range []struct {
		kind      string
		got, want []string
	}{{"boolean", push.ExtraBooleans(), bools}, {"integer", push.ExtraIntegers(), ints}} {
		sort.Strings(c.got)
		sort.Strings(c.want)
		if strings.Join(c.got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s parameters:\n got %v\nwant %v (the SDK's)", c.kind, c.got, c.want)
		}
	}
}
