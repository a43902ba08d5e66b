package alibaba_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
	"github.com/cpush/cpush/push"
	"github.com/cpush/cpush/push/alibaba"
)

// stsServer hands out STS credentials as an ALIBABA_CLOUD_CREDENTIALS_URI
// endpoint does: the first token, then the second.
type stsServer struct {
	calls atomic.Int32
	creds [2]pushsim.Credential
	// advertised is the expiry the first answer announces.
	advertised time.Time
}

func (s *stsServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	c, exp := s.creds[1], time.Now().Add(time.Hour)
	if s.calls.Add(1) == 1 {
		c, exp = s.creds[0], s.advertised
	}
	json.NewEncoder(w).Encode(map[string]string{"AccessKeyId": c.AccessKeyID, "AccessKeySecret": c.AccessKeySecret,
		"SecurityToken": c.SecurityToken, "Expiration": exp.UTC().Format("2006-01-02T15:04:05Z")})
}

// TestClient_CredentialsRefresh: with no AccessKey in its settings the
// adapter takes the SDK's default credential chain, whose providers
// refresh an STS token before it expires, so a long job outlives the
// token. The chain is pointed at a credentials URI here (the ECS metadata
// service is out of reach); the simulator refuses the first token once it
// expires, mid-run.
func TestClient_CredentialsRefresh(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE"} {
		t.Setenv(v, "")
	}
	t.Setenv("HOME", t.TempDir()) // no CLI or credentials-file profile
	expires := time.Now().Add(3 * time.Second)
	sts := &stsServer{creds: [2]pushsim.Credential{
		{AccessKeyID: "STS.first", AccessKeySecret: "first-secret", SecurityToken: "token-1", Expires: expires},
		{AccessKeyID: "STS.second", AccessKeySecret: "second-secret", SecurityToken: "token-2", Expires: time.Now().Add(time.Hour)},
	},
		// The SDK renews a token 180 s before its announced expiry: this
		// one is renewed one second in, two before the simulator refuses it.
		advertised: time.Now().Add(181 * time.Second),
	}
	cs := httptest.NewServer(sts)
	defer cs.Close()
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_URI", cs.URL)

	sim := pushsim.New(pushsim.Config{NoQuotas: true, Credentials: sts.creds[:]})
	hs := httptest.NewServer(sim)
	defer hs.Close()
	c, err := alibaba.New(alibaba.Config{Region: "cn-hangzhou", Endpoint: hs.URL, ReadTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	res, err := c.CreateMessage(ctx, appKey, push.Message{Title: "t", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := expires.Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err := c.PushChunk(ctx, appKey, res.MessageID, push.TargetDevice, values(1)); err != nil {
			t.Fatalf("a call %s after the first token's expiry failed: %v", time.Since(expires).Round(time.Millisecond), err)
		}
	}
	if n := sts.calls.Load(); n < 2 {
		t.Errorf("the credentials URI was asked %d times, want the token renewed", n)
	}
}

// TestClient_StaticTokenExpires shows what the refresh prevents: a static
// STS token from the settings is refused once it expires.
func TestClient_StaticTokenExpires(t *testing.T) {
	cred := pushsim.Credential{AccessKeyID: "STS.static", AccessKeySecret: "s", SecurityToken: "token", Expires: time.Now().Add(time.Second)}
	sim := pushsim.New(pushsim.Config{NoQuotas: true, Credentials: []pushsim.Credential{cred}})
	hs := httptest.NewServer(sim)
	defer hs.Close()
	c, err := alibaba.New(alibaba.Config{Region: "cn-hangzhou", Endpoint: hs.URL, ReadTimeout: 2 * time.Second,
		AccessKeyID: cred.AccessKeyID, AccessKeySecret: cred.AccessKeySecret, SecurityToken: cred.SecurityToken})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.CreateMessage(context.Background(), appKey, push.Message{Title: "t", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(cred.Expires) + 100*time.Millisecond)
	_, err = c.CreateMessage(context.Background(), appKey, push.Message{Title: "t", Body: "b"})
	if e, ok := push.AsError(err); !ok || !strings.HasPrefix(e.Code, "InvalidSecurityToken") {
		t.Errorf("a call with the expired token = %v, want InvalidSecurityToken.Expired", err)
	}
}
