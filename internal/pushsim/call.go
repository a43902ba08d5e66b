package pushsim

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultRegion is the RegionId a Call carries when it names none; quotas
// are counted per region.
const DefaultRegion = "cn-hangzhou"

// Call is one RPC request to the simulated API, which Request signs and
// lays out the way the Alibaba Cloud Go SDK does (RPC signature v1, every
// parameter in the query of a POST). Rules are built of Calls; tests can
// use it to send what the SDK will not (a stale Timestamp, a wrong
// signature).
type Call struct {
	Action string
	// Params are the action's parameters.
	Params map[string]string
	// Credential signs the call; its zero value is the test pair. An STS
	// credential adds its SecurityToken.
	Credential Credential
	// Region is the RegionId; "" means DefaultRegion.
	Region string
	// Common replaces common parameters before signing; an empty value
	// removes the parameter.
	Common map[string]string
	// After replaces parameters after signing (an empty value removes it),
	// so the signature no longer covers them.
	After map[string]string
	// SignWith, when set, is the secret the call is signed with instead of
	// the credential's.
	SignWith string
}

// sdkLike reports whether the SDK could send c as it is: no parameter
// tampered with around the signature.
func (c Call) sdkLike() bool {
	return len(c.Common) == 0 && len(c.After) == 0 && c.SignWith == ""
}

// Request returns c as an HTTP request to the simulator at baseURL
// (scheme and host, as "http://127.0.0.1:18600").
func (c Call) Request(baseURL string) (*http.Request, error) {
	cred := c.Credential
	if cred.AccessKeyID == "" {
		cred = Credential{AccessKeyID: TestAccessKeyID, AccessKeySecret: TestAccessKeySecret}
	}
	all := c.commonParams(cred)
	for k, v := range c.Params {
		all[k] = v
	}
	setAll(all, c.Common)
	all["Signature"] = signParams(orString(c.SignWith, cred.AccessKeySecret), all)
	setAll(all, c.After)
	q := url.Values{}
	for k, v := range all {
		q.Set(k, v)
	}
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(baseURL, "/")+"/?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("pushsim: building %s call: %w", c.Action, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// commonParams are the parameters the SDK adds to every RPC call.
func (c Call) commonParams(cred Credential) map[string]string {
	p := map[string]string{
		"Action": c.Action, "Version": APIVersion, "Format": "JSON",
		"Timestamp":       time.Now().UTC().Format(TimestampLayout),
		"SignatureMethod": SignatureMethod, "SignatureVersion": SignatureVersion, "SignatureType": "",
		"SignatureNonce": strconv.FormatUint(rand.Uint64(), 16) + strconv.FormatInt(time.Now().UnixNano(), 16),
		"AccessKeyId":    cred.AccessKeyID, "RegionId": orString(c.Region, DefaultRegion),
	}
	if cred.SecurityToken != "" {
		p["SecurityToken"] = cred.SecurityToken
	}
	return p
}

// setAll sets the entries of changes in p; an empty value deletes.
func setAll(p, changes map[string]string) {
	for k, v := range changes {
		if v == "" {
			delete(p, k)
			continue
		}
		p[k] = v
	}
}

// signParams returns the RPC v1 signature of a POST with parameters all.
func signParams(secret string, all map[string]string) string {
	ps := make(params, 0, len(all))
	for k, v := range all {
		ps = append(ps, param{k, v})
	}
	slices.SortFunc(ps, func(a, b param) int { return strings.Compare(a.key, b.key) })
	return sign(secret, appendStringToSign(nil, http.MethodPost, ps))
}

// Result is a decoded answer of the simulated API.
type Result struct {
	Status    int
	Code      string // "" on success
	Message   string
	RequestID string
	MessageID string
	Body      []byte
}

// Do sends req with client (nil: http.DefaultClient) and decodes the answer.
func Do(client *http.Client, req *http.Request) (Result, error) {
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("pushsim: sending: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Result{}, fmt.Errorf("pushsim: reading the answer: %w", err)
	}
	var a struct{ Code, Message, RequestId, MessageId string }
	if err := json.Unmarshal(body, &a); err != nil {
		return Result{}, fmt.Errorf("pushsim: answer %d %.200q: %w", resp.StatusCode, body, err)
	}
	return Result{Status: resp.StatusCode, Code: a.Code, Message: a.Message,
		RequestID: a.RequestId, MessageID: a.MessageId, Body: body}, nil
}
