package pushsim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkpush "github.com/aliyun/alibaba-cloud-sdk-go/services/push"

	"github.com/cpush/cpush/internal/pushsim"
)

// stsClient returns an SDK client signing with an STS credential.
func (e *env) stsClient(t *testing.T, id, secret, token string) *sdkpush.Client {
	t.Helper()
	c, err := sdkpush.NewClientWithOptions(pushsim.DefaultRegion, sdk.NewConfig().WithAutoRetry(false),
		credentials.NewStsTokenCredential(id, secret, token))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestServer_Credentials(t *testing.T) {
	sts := pushsim.Credential{AccessKeyID: "sts-id", AccessKeySecret: "sts-secret", SecurityToken: "token-1",
		Expires: time.Now().Add(time.Hour)}
	t.Run("an STS token expires mid-job", func(t *testing.T) {
		e := setup(t, pushsim.Config{Credentials: []pushsim.Credential{sts}})
		c := e.stsClient(t, sts.AccessKeyID, sts.AccessKeySecret, sts.SecurityToken)
		resp, err := c.Push(e.pushRequest(testAppKey))
		if err != nil {
			t.Fatalf("Push with the STS key: %v", err)
		}
		expired := sts
		expired.Expires = time.Now().Add(-time.Second)
		if err := e.sim.AddCredential(expired); err != nil {
			t.Fatal(err)
		}
		_, err = c.ContinuouslyPush(e.continuousRequest(testAppKey, resp.MessageId, pushsim.TargetDevice, "d1"))
		wantServerError(t, err, pushsim.CodeInvalidSecurityTokenExpired, http.StatusBadRequest)
		renewed := sts
		renewed.SecurityToken = "token-2"
		if err := e.sim.AddCredential(renewed); err != nil {
			t.Fatal(err)
		}
		_, err = c.ContinuouslyPush(e.continuousRequest(testAppKey, resp.MessageId, pushsim.TargetDevice, "d1"))
		wantServerError(t, err, pushsim.CodeInvalidSecurityTokenMalformed, http.StatusBadRequest)
		c2 := e.stsClient(t, sts.AccessKeyID, sts.AccessKeySecret, "token-2")
		if _, err := c2.ContinuouslyPush(e.continuousRequest(testAppKey, resp.MessageId, pushsim.TargetDevice, "d1")); err != nil {
			t.Fatalf("with the renewed token: %v", err)
		}
	})
	t.Run("a token sent with a permanent key", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		c := e.stsClient(t, pushsim.TestAccessKeyID, pushsim.TestAccessKeySecret, "stray")
		_, err := c.Push(e.pushRequest(testAppKey))
		wantServerError(t, err, pushsim.CodeInvalidSecurityTokenMalformed, http.StatusBadRequest)
	})
	t.Run("RemoveCredential", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		if !e.sim.RemoveCredential(pushsim.TestAccessKeyID) || e.sim.RemoveCredential("nobody") {
			t.Fatal("RemoveCredential: want true for the test pair, false for an unknown key")
		}
		_, err := e.client.Push(e.pushRequest(testAppKey))
		wantServerError(t, err, pushsim.CodeInvalidAccessKeyIDNotFound, http.StatusBadRequest)
		if got := e.sim.Credentials(); len(got) != 0 {
			t.Errorf("got credentials %v, want none", got)
		}
	})
	t.Run("POST /sim/credentials", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		body, _ := json.Marshal(pushsim.Credential{AccessKeyID: pushsim.TestAccessKeyID, AccessKeySecret: pushsim.TestAccessKeySecret,
			DenyActions: []string{pushsim.ActionPush}})
		resp, err := http.Post(e.ts.URL+"/sim/credentials", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got HTTP %d, want 200", resp.StatusCode)
		}
		_, err = e.client.Push(e.pushRequest(testAppKey))
		wantServerError(t, err, pushsim.CodeForbiddenRAM, http.StatusForbidden)
		e.simCall(t, http.MethodPost, "/sim/credentials/remove?id="+pushsim.TestAccessKeyID, http.StatusOK, nil)
		e.simCall(t, http.MethodPost, "/sim/credentials/remove?id=nobody", http.StatusBadRequest, nil)
	})
	t.Run("String hides the secret and token", func(t *testing.T) {
		got := fmt.Sprintf("%v", sts)
		if strings.Contains(got, sts.AccessKeySecret) || strings.Contains(got, sts.SecurityToken) || !strings.Contains(got, sts.AccessKeyID) {
			t.Errorf("got %q, want the AccessKey ID without secret or token", got)
		}
	})
	t.Run("the test pair belongs to the default account", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		got := e.sim.Credentials()
		if len(got) != 1 || got[0].AccessKeyID != pushsim.TestAccessKeyID || got[0].Account != pushsim.DefaultAccount {
			t.Errorf("got %+v, want the test pair of %s", got, pushsim.DefaultAccount)
		}
	})
}

func TestServer_SetClockSkew(t *testing.T) {
	e := setup(t, pushsim.Config{})
	e.sim.SetClockSkew(-20 * time.Minute)
	_, err := e.client.Push(e.pushRequest(testAppKey))
	wantServerError(t, err, pushsim.CodeInvalidTimeStampExpired, http.StatusBadRequest)
	e.simCall(t, http.MethodPost, "/sim/clock-skew?d=10m", http.StatusOK, nil)
	if got := e.sim.ClockSkew(); got != 10*time.Minute {
		t.Errorf("got skew %v, want 10m", got)
	}
	if _, err := e.client.Push(e.pushRequest(testAppKey)); err != nil {
		t.Errorf("within 15 minutes: %v", err)
	}
}

func TestServer_MaxURLBytes(t *testing.T) {
	e := setup(t, pushsim.Config{})
	id := e.createMessage(t, testAppKey)
	e.simCall(t, http.MethodPost, "/sim/max-url?bytes=4096", http.StatusOK, nil)
	if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, values("d", 100)); err != nil {
		t.Fatalf("100 values: %v", err)
	}
	_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, values("device-id-of-some-length", 300))
	wantServerError(t, err, pushsim.CodeURITooLong, http.StatusRequestURITooLong)
	e.sim.SetMaxURLBytes(0)
	if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, values("device-id-of-some-length", 300)); err != nil {
		t.Fatalf("without a bound: %v", err)
	}
}

func TestServer_documentedQuotas(t *testing.T) {
	t.Run("ContinuouslyPush 500 a second by default", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		id := e.createMessage(t, testAppKey)
		ok, throttled := 0, 0
		start := time.Now()
		for i := range 520 {
			_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, fmt.Sprintf("q%d", i))
			if err == nil {
				ok++
				continue
			}
			wantServerError(t, err, pushsim.CodeThrottlingUser, http.StatusBadRequest)
			throttled++
		}
		if elapsed := time.Since(start); elapsed >= time.Second {
			t.Skipf("520 calls took %v; a window of a second proves nothing", elapsed)
		}
		if ok != 500 || throttled != 20 {
			t.Errorf("got %d OK and %d throttled of 520 within a second, want 500 and 20", ok, throttled)
		}
	})
	t.Run("NoQuotas", func(t *testing.T) {
		e := setup(t, pushsim.Config{NoQuotas: true, MessageLimit: 100000})
		id := e.createMessage(t, testAppKey)
		for i := range 520 {
			if _, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, fmt.Sprintf("n%d", i)); err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
		}
	})
	t.Run("DocumentedQuotas", func(t *testing.T) {
		q := pushsim.DocumentedQuotas()
		want := map[string]pushsim.Quota{
			pushsim.ActionPush: {Calls: 1000000, Per: time.Minute}, pushsim.ActionContinuouslyPush: {Calls: 500, Per: time.Second},
			pushsim.ActionCompleteContinuouslyPush: {Calls: 10000, Per: time.Minute}, pushsim.ActionQueryPushStatByMsg: {Calls: 50, Per: time.Second},
		}
		for action, w := range want {
			if q[action] != w {
				t.Errorf("got %s quota %+v, want %+v", action, q[action], w)
			}
		}
	})
}

func TestServer_Codes(t *testing.T) {
	e := setup(t, pushsim.Config{Codes: pushsim.Codes{MessageExpired: pushsim.Answer{Code: "Gone", Status: http.StatusGone}}})
	id := e.createMessage(t, testAppKey)
	e.sim.Advance(pushsim.DefaultMessageTTL)
	_, err := e.pushValues(testAppKey, id, pushsim.TargetDevice, "d")
	wantServerError(t, err, "Gone", http.StatusGone)
	_, err = e.pushValues(testAppKey, "1", pushsim.TargetDevice, "d")
	wantServerError(t, err, codes.MessageNotFound.Code, codes.MessageNotFound.Status)
}
