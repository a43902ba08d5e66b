package pushsim_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkpush "github.com/aliyun/alibaba-cloud-sdk-go/services/push"

	"github.com/cpush/cpush/internal/pushsim"
)

// testAppKey is the AppKey the tests push with.
const testAppKey = 23267207

// codes are the answers to the undocumented conditions.
var codes = pushsim.DefaultCodes

// env is a simulator behind a real HTTP listener and an SDK client for it.
type env struct {
	sim    *pushsim.Server
	ts     *httptest.Server
	host   string // host:port of ts
	client *sdkpush.Client
}

// setup starts a simulator with cfg and an SDK client with the test pair.
func setup(t testing.TB, cfg pushsim.Config) *env {
	t.Helper()
	sim := pushsim.New(cfg)
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	e := &env{sim: sim, ts: ts, host: strings.TrimPrefix(ts.URL, "http://")}
	e.client = e.newClient(t, pushsim.TestAccessKeyID, pushsim.TestAccessKeySecret)
	return e
}

// newClient returns an SDK client with AutoRetry off and the given pair.
func (e *env) newClient(t testing.TB, id, secret string) *sdkpush.Client {
	t.Helper()
	cfg := sdk.NewConfig().WithAutoRetry(false).WithTimeout(10 * time.Second)
	c, err := sdkpush.NewClientWithOptions("cn-hangzhou", cfg, credentials.NewAccessKeyCredential(id, secret))
	if err != nil {
		t.Fatalf("sdkpush.NewClientWithOptions: %v", err)
	}
	return c
}

// pushRequest is a valid Push(Target=TBD) request for appKey.
func (e *env) pushRequest(appKey int64) *sdkpush.PushRequest {
	r := sdkpush.CreatePushRequest()
	r.Domain, r.Scheme = e.host, "http"
	r.AppKey = requests.NewInteger64(appKey)
	r.Target = pushsim.TargetTBD
	r.TargetValue = pushsim.TargetTBD
	r.PushType = "NOTICE"
	r.DeviceType = "ALL"
	r.Title = "Hello 你好"
	r.Body = "Hello, world & more: 100% ~*+"
	return r
}

// continuousRequest is a ContinuouslyPush request.
func (e *env) continuousRequest(appKey int64, messageID, target, values string) *sdkpush.ContinuouslyPushRequest {
	r := sdkpush.CreateContinuouslyPushRequest()
	r.Domain, r.Scheme = e.host, "http"
	r.AppKey = requests.NewInteger64(appKey)
	r.MessageId, r.Target, r.TargetValue = messageID, target, values
	return r
}

// completeRequest is a CompleteContinuouslyPush request.
func (e *env) completeRequest(appKey int64, messageID string) *sdkpush.CompleteContinuouslyPushRequest {
	r := sdkpush.CreateCompleteContinuouslyPushRequest()
	r.Domain, r.Scheme = e.host, "http"
	r.AppKey = requests.NewInteger64(appKey)
	r.MessageId = messageID
	return r
}

// createMessage stores a message for appKey and returns its MessageId.
func (e *env) createMessage(t testing.TB, appKey int64) string {
	t.Helper()
	resp, err := e.client.Push(e.pushRequest(appKey))
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	return resp.MessageId
}

// pushValues sends ContinuouslyPush through the SDK.
func (e *env) pushValues(appKey int64, messageID, target, values string) (*sdkpush.ContinuouslyPushResponse, error) {
	return e.client.ContinuouslyPush(e.continuousRequest(appKey, messageID, target, values))
}

// values returns n comma-separated values prefix-0, prefix-1, ...
func values(prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(prefix)
		b.WriteByte('-')
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}

// wantServerError fails t unless err is a *errors.ServerError with code and status.
func wantServerError(t *testing.T, err error, code string, status int) *sdkerrors.ServerError {
	t.Helper()
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("got error %v (%T), want a *errors.ServerError %s", err, err, code)
	}
	if se.ErrorCode() != code || se.HttpStatus() != status {
		t.Fatalf("got %s (HTTP %d), want %s (HTTP %d); message: %s",
			se.ErrorCode(), se.HttpStatus(), code, status, se.Message())
	}
	if se.RequestId() == "" || se.HostId() == "" {
		t.Errorf("got RequestId %q HostId %q, want both set", se.RequestId(), se.HostId())
	}
	return se
}

// rawAnswer is a decoded answer to a hand-made request.
type rawAnswer struct {
	Status    int
	Code      string
	Message   string
	MessageId string
	RequestId string
}

// signedParams returns the common parameters of action, as the SDK sends them.
func signedParams(action string) map[string]string {
	return map[string]string{
		"Action": action, "Version": pushsim.APIVersion, "Format": "JSON",
		"Timestamp":       time.Now().UTC().Format(pushsim.TimestampLayout),
		"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureType": "",
		"SignatureNonce": strconv.FormatInt(time.Now().UnixNano(), 16),
		"AccessKeyId":    pushsim.TestAccessKeyID, "RegionId": "cn-hangzhou",
	}
}

// signRaw adds the Signature of params, computed the way the SDK does it
// (auth/rpc_signature_composer.go), and returns the query.
func signRaw(params map[string]string, secret string) string {
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	s := q.Encode()
	s = strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(s)
	sts := "POST&%2F&" + url.QueryEscape(s)
	h := hmac.New(sha1.New, []byte(secret+"&"))
	h.Write([]byte(sts))
	q.Set("Signature", base64.StdEncoding.EncodeToString(h.Sum(nil)))
	return q.Encode()
}

// postRaw posts query to the simulator the way the SDK does and decodes the answer.
func (e *env) postRaw(t *testing.T, query string) rawAnswer {
	t.Helper()
	resp, err := http.Post(e.ts.URL+"/?"+query, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading answer: %v", err)
	}
	a := rawAnswer{Status: resp.StatusCode}
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("answer %s: %v", body, err)
	}
	return a
}

// wantAnswer fails t unless a has code and status.
func wantAnswer(t *testing.T, a rawAnswer, code string, status int) {
	t.Helper()
	if a.Code != code || a.Status != status {
		t.Fatalf("got %q (HTTP %d), want %q (HTTP %d); message: %s", a.Code, a.Status, code, status, a.Message)
	}
}

// wantCalls fails t unless the simulator counted n calls of action with key.
func wantCalls(t *testing.T, st pushsim.Stats, action, key string, n int) {
	t.Helper()
	if got := st.Calls[action][key]; got != n {
		t.Errorf("got Calls[%s][%s] = %d, want %d (all: %v)", action, key, got, n, st.Calls)
	}
}

// wantDelivered fails t unless every value of vals was delivered times times.
func wantDelivered(t *testing.T, st pushsim.Stats, target, vals string, times int) {
	t.Helper()
	for _, v := range strings.Split(vals, ",") {
		if got := st.Delivered(target, v); got != times {
			t.Fatalf("got %s:%s delivered %d times, want %d", target, v, got, times)
		}
	}
}

// continuousWith sends a DEVICE ContinuouslyPush for testAppKey with client c.
func (e *env) continuousWith(c *sdkpush.Client, messageID, vals string) (*sdkpush.ContinuouslyPushResponse, error) {
	return c.ContinuouslyPush(e.continuousRequest(testAppKey, messageID, pushsim.TargetDevice, vals))
}
