package pushsim_test

import (
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"

	"github.com/cpush/cpush/internal/pushsim"
)

// TestRules runs every rule of pushsim.Rules twice: as a raw signed request
// and, where the SDK can send it (nothing tampered with around the
// signature), through the real SDK's CommonRequest. Both must get the
// rule's status and code.
func TestRules(t *testing.T) {
	rules := pushsim.Rules()
	names := make(map[string]bool, len(rules))
	for _, r := range rules {
		t.Run(r.Name, func(t *testing.T) {
			if names[r.Name] {
				t.Fatalf("rule %q is listed twice", r.Name)
			}
			names[r.Name] = true
			if r.Page == "" || r.Says == "" || r.Status == 0 {
				t.Fatalf("rule %+v lacks its page, what it says or its status", r)
			}
			s := pushsim.New(r.Config)
			ts := httptest.NewServer(s)
			defer ts.Close()
			res, err := r.Run(s, ts.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != r.Status || res.Code != r.Code {
				t.Errorf("raw: got %d %q (%s), want %d %q", res.Status, res.Code, res.Message, r.Status, r.Code)
			}
			runSDK(t, r)
		})
	}
}

// runSDK sends r's call through the SDK when the SDK can send it.
func runSDK(t *testing.T, r pushsim.Rule) {
	t.Helper()
	s := pushsim.New(r.Config)
	ts := httptest.NewServer(s)
	defer ts.Close()
	c := r.Prepare(s)
	if len(c.Common) > 0 || len(c.After) > 0 || c.SignWith != "" {
		return // tampered with around the signature: the SDK cannot send it
	}
	status, code := sdkCall(t, strings.TrimPrefix(ts.URL, "http://"), c)
	if status != r.Status || code != r.Code {
		t.Errorf("SDK: got %d %q, want %d %q", status, code, r.Status, r.Code)
	}
}

// sdkCall sends c with the SDK's CommonRequest and returns the answer's
// status and code.
func sdkCall(t *testing.T, host string, c pushsim.Call) (int, string) {
	t.Helper()
	req := requests.NewCommonRequest()
	req.Method, req.Scheme, req.Domain = "POST", "http", host
	req.Product, req.Version, req.ApiName = "Push", pushsim.APIVersion, c.Action
	for k, v := range c.Params {
		req.QueryParams[k] = v
	}
	cred := c.Credential
	if cred.AccessKeyID == "" {
		cred = pushsim.Credential{AccessKeyID: pushsim.TestAccessKeyID, AccessKeySecret: pushsim.TestAccessKeySecret}
	}
	var ac auth.Credential = credentials.NewAccessKeyCredential(cred.AccessKeyID, cred.AccessKeySecret)
	if cred.SecurityToken != "" {
		ac = credentials.NewStsTokenCredential(cred.AccessKeyID, cred.AccessKeySecret, cred.SecurityToken)
	}
	client, err := sdk.NewClientWithOptions(pushsim.DefaultRegion, sdk.NewConfig().WithAutoRetry(false).WithTimeout(10*time.Second), ac)
	if err != nil {
		t.Fatalf("sdk.NewClientWithOptions: %v", err)
	}
	resp, err := client.ProcessCommonRequest(req)
	var se *sdkerrors.ServerError
	switch {
	case errors.As(err, &se):
		return se.HttpStatus(), se.ErrorCode()
	case err != nil:
		t.Fatalf("SDK: %v", err)
	}
	return resp.GetHttpStatus(), ""
}

// TestRules_documented checks that docs/simulator.md lists every rule.
func TestRules_documented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/simulator.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range pushsim.Rules() {
		if !strings.Contains(string(doc), r.Name) {
			t.Errorf("docs/simulator.md does not list rule %q", r.Name)
		}
	}
}
