package alibaba_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	sdkpush "github.com/aliyun/alibaba-cloud-sdk-go/services/push"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/push/alibaba"
)

const appKey = 23267207

func setup(t *testing.T, cfg pushsim.Config) (*pushsim.Server, *alibaba.Client) {
	t.Helper()
	cfg.NoQuotas = true // the tests push faster than the documented quotas
	sim := pushsim.New(cfg)
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	c := newClient(t, hs.URL, pushsim.TestAccessKeySecret)
	return sim, c
}

func newClient(t *testing.T, endpoint, secret string) *alibaba.Client {
	t.Helper()
	c, err := alibaba.New(alibaba.Config{Region: "cn-hangzhou", Endpoint: endpoint,
		AccessKeyID: pushsim.TestAccessKeyID, AccessKeySecret: secret, ReadTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func values(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "dev" + strconv.Itoa(i)
	}
	return out
}

func create(t *testing.T, c *alibaba.Client) string {
	t.Helper()
	res, err := c.CreateMessage(context.Background(), appKey, push.Message{Title: "t", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if res.MessageID == "" || res.RequestID == "" {
		t.Fatalf("CreateMessage = %+v, want a MessageId and a RequestId", res)
	}
	return res.MessageID
}

// wantError checks that err is a *push.Error with the class and code.
func wantError(t *testing.T, err error, class push.Class, code string, status int) *push.Error {
	t.Helper()
	e, ok := push.AsError(err)
	if !ok {
		t.Fatalf("error = %v (%T), want a *push.Error", err, err)
	}
	if e.Class != class || e.Code != code || (status != 0 && e.HTTPStatus != status) {
		t.Fatalf("error = %v; want class %v, code %s, HTTP %d", e, class, code, status)
	}
	return e
}

func TestClient_PushChunk(t *testing.T) {
	sim, c := setup(t, pushsim.Config{})
	mid := create(t, c)
	vals := values(1000)
	res, err := c.PushChunk(context.Background(), appKey, mid, push.TargetDevice, vals)
	if err != nil {
		t.Fatal(err)
	}
	if res.RequestID == "" {
		t.Error("no RequestId")
	}
	st := sim.Stats()
	if st.PerMessage[mid].Targets != 1000 || st.Delivered(push.TargetDevice, vals[999]) != 1 {
		t.Errorf("simulator: %d targets on %s, last delivered %d times; want 1000, 1", st.PerMessage[mid].Targets, mid, st.Delivered("DEVICE", vals[999]))
	}
	if _, err := c.CompleteMessage(context.Background(), appKey, mid); err != nil {
		t.Fatal(err)
	}
	if !sim.Stats().PerMessage[mid].Completed {
		t.Error("message not completed")
	}
}

func TestClient_Errors(t *testing.T) {
	ctx := context.Background()
	t.Run("wrong secret", func(t *testing.T) {
		hs := httptest.NewServer(pushsim.New(pushsim.Config{NoQuotas: true}))
		defer hs.Close()
		c := newClient(t, hs.URL, "not-the-secret")
		_, err := c.CreateMessage(ctx, appKey, push.Message{Title: "secret-title", Body: "b"})
		e := wantError(t, err, push.ClassPermanent, push.CodeSignatureDoesNotMatch, 400)
		// The service's message quotes its string to sign: every parameter
		// of the call, the AccessKey ID and STS token included.
		noneOf(t, err, "not-the-secret", "AccessKeyId", pushsim.TestAccessKeyID, "secret-title")
		if !strings.Contains(e.Message, "[redacted]") {
			t.Errorf("message %q does not say what was redacted", e.Message)
		}
	})
	t.Run("1001 values", func(t *testing.T) {
		_, c := setup(t, pushsim.Config{})
		_, err := c.PushChunk(ctx, appKey, create(t, c), push.TargetDevice, values(1001))
		wantError(t, err, push.ClassPermanent, "InvalidTargetValue", 400)
	})
	t.Run("empty value", func(t *testing.T) {
		_, c := setup(t, pushsim.Config{})
		_, err := c.PushChunk(ctx, appKey, create(t, c), push.TargetDevice, []string{"a", "", "b"})
		wantError(t, err, push.ClassPermanent, "InvalidTargetValue", 400)
	})
	t.Run("tag target", func(t *testing.T) {
		_, c := setup(t, pushsim.Config{})
		_, err := c.PushChunk(ctx, appKey, create(t, c), "TAG", []string{"vip"})
		wantError(t, err, push.ClassPermanent, "InvalidTarget", 400)
	})
	t.Run("unknown message", func(t *testing.T) {
		_, c := setup(t, pushsim.Config{})
		_, err := c.PushChunk(ctx, appKey, "999999", push.TargetDevice, []string{"a"})
		wantError(t, err, push.ClassRollover, push.CodeMessageNotFound, 0)
	})
	t.Run("over the limit", func(t *testing.T) {
		_, c := setup(t, pushsim.Config{MessageLimit: 1500})
		mid := create(t, c)
		if _, err := c.PushChunk(ctx, appKey, mid, push.TargetDevice, values(1000)); err != nil {
			t.Fatal(err)
		}
		_, err := c.PushChunk(ctx, appKey, mid, push.TargetDevice, values(1000))
		wantError(t, err, push.ClassRollover, push.CodeMessageLimitExceeded, 400)
	})
	t.Run("expired", func(t *testing.T) {
		sim, c := setup(t, pushsim.Config{})
		mid := create(t, c)
		sim.Advance(25 * time.Hour)
		_, err := c.PushChunk(ctx, appKey, mid, push.TargetDevice, []string{"a"})
		wantError(t, err, push.ClassRollover, push.CodeMessageExpired, 400)
	})
	t.Run("throttled", func(t *testing.T) {
		_, c := setup(t, pushsim.Config{ThrottleRate: 1})
		_, err := c.PushChunk(ctx, appKey, create(t, c), push.TargetDevice, []string{"a"})
		wantError(t, err, push.ClassWait, push.CodeThrottlingUser, 400)
	})
	t.Run("transient fault", func(t *testing.T) {
		sim, c := setup(t, pushsim.Config{TransientFaultRate: 1})
		_, err := c.PushChunk(ctx, appKey, create(t, c), push.TargetDevice, []string{"a"})
		e := wantError(t, err, push.ClassTransient, push.CodeServiceUnavailable, 503)
		if e.Ambiguous || sim.Stats().Delivered("DEVICE", "a") != 0 {
			t.Errorf("ambiguous %v, delivered %d; want false, 0", e.Ambiguous, sim.Stats().Delivered("DEVICE", "a"))
		}
	})
	for _, mode := range []string{pushsim.AmbiguousError, pushsim.AmbiguousDrop} {
		t.Run("ambiguous "+mode, func(t *testing.T) {
			sim, c := setup(t, pushsim.Config{AmbiguousFaultRate: 1, AmbiguousMode: mode})
			_, err := c.PushChunk(ctx, appKey, create(t, c), push.TargetDevice, []string{"a"})
			e, ok := push.AsError(err)
			if !ok || e.Class != push.ClassTransient || !e.Ambiguous {
				t.Fatalf("error = %v, want a transient, ambiguous *push.Error", err)
			}
			if sim.Stats().Delivered("DEVICE", "a") != 1 {
				t.Errorf("the simulator did not deliver before failing")
			}
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		c := newClient(t, "http://"+addr, "x")
		_, err := c.PushChunk(ctx, appKey, "1", push.TargetDevice, []string{"a"})
		e := wantError(t, err, push.ClassTransient, push.CodeNetwork, 0)
		if e.Ambiguous {
			t.Error("a refused connection is marked ambiguous; nothing was sent")
		}
		// The SDK's *url.Error quotes the signed URL: credentials,
		// signature and targets.
		noneOf(t, err, "Signature=", "AccessKeyId=", "TargetValue=", "?")
		if !strings.Contains(e.Error(), "connection refused") || !strings.Contains(e.Error(), addr) {
			t.Errorf("error %q does not say what failed where", e)
		}
	})
}

// noneOf fails t if err's text, or that of any error it wraps, holds any
// of secrets.
func noneOf(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, text := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("error %T %q holds %q", e, text, s)
				}
			}
		}
	}
}

func TestNew_Config(t *testing.T) {
	tests := []struct {
		name string
		cfg  alibaba.Config
		want string
	}{
		{"no region", alibaba.Config{AccessKeyID: "a", AccessKeySecret: "b"}, "region"},
		{"id without secret", alibaba.Config{Region: "cn-hangzhou", AccessKeyID: "a"}, "without its secret"},
		{"bad endpoint", alibaba.Config{Region: "cn-hangzhou", AccessKeyID: "a", AccessKeySecret: "b", Endpoint: "127.0.0.1:1"}, "scheme://host"},
		{"endpoint with path", alibaba.Config{Region: "cn-hangzhou", AccessKeyID: "a", AccessKeySecret: "b", Endpoint: "http://h/x"}, "scheme://host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := alibaba.New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want one with %q", err, tt.want)
			}
		})
	}
}

// TestPushParams checks cpush's list of Push parameter names against the
// SDK's PushRequest, so an SDK upgrade cannot silently drop one.
func TestPushParams(t *testing.T) {
	typ := reflect.TypeOf(sdkpush.PushRequest{})
	var sdk []string
	for i := range typ.NumField() {
		if name := typ.Field(i).Tag.Get("name"); name != "" {
			sdk = append(sdk, name)
		}
	}
	got := push.PushParamNames()
	sort.Strings(sdk)
	sort.Strings(got)
	if !reflect.DeepEqual(got, sdk) {
		t.Errorf("cpush's Push parameters differ from the SDK's:\n got %v\nwant %v", got, sdk)
	}
}

// TestClient_CreateMessage_TargetValue: Push requires TargetValue, and with
// Target=TBD its value is TBD (help.aliyun.com document 2249916). The
// simulator refuses a Push without it, so CreateMessage fails if it is
// not sent.
func TestClient_CreateMessage_TargetValue(t *testing.T) {
	sim, c := setup(t, pushsim.Config{})
	mid := create(t, c)
	got := sim.Stats().PerMessage[mid].Content.Params
	if got["Target"] != push.TargetTBD || got["TargetValue"] != push.TargetTBD {
		t.Errorf("Push sent Target=%q TargetValue=%q, want TBD and TBD", got["Target"], got["TargetValue"])
	}
}

func TestClient_MessageParams(t *testing.T) {
	sim, c := setup(t, pushsim.Config{})
	badge := 3
	msg := push.Message{Title: "t", Body: "b", PushType: "MESSAGE", DeviceType: "ANDROID",
		IOS:     push.IOSOptions{Badge: &badge},
		Android: push.AndroidOptions{OpenType: "URL", OpenURL: "https://example.com", ExtParameters: map[string]string{"k": "v"}},
		Extra:   map[string]string{"AndroidNotificationBarPriority": "1"}}
	res, err := c.CreateMessage(context.Background(), appKey, msg)
	if err != nil {
		t.Fatal(err)
	}
	got := sim.Stats().PerMessage[res.MessageID].Content
	if got.Params["AndroidNotificationBarPriority"] != "1" || got.Params["iOSBadge"] != "3" ||
		got.Params["AndroidExtParameters"] != `{"k":"v"}` || got.Params["PushType"] != "MESSAGE" {
		t.Errorf("the simulator stored %v; want the typed fields and the pass-through parameter", got.Params)
	}
}
