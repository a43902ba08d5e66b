// Package alibaba implements push.Service on the official Alibaba Cloud
// Go SDK (services/push). The SDK's AutoRetry is off: cpush's retry policy
// decides what to retry, from the class of each push.Error.
package alibaba

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkpush "github.com/aliyun/alibaba-cloud-sdk-go/services/push"

	"github.com/cpush/cpush/push"
)

// Config configures the adapter. The zero value of every field but Region
// has a working default.
type Config struct {
	Region string // e.g. cn-hangzhou
	// AccessKeyID and AccessKeySecret are a static AccessKey pair; with
	// SecurityToken they are an STS token. Empty: the SDK's default
	// credential chain (ALIBABA_CLOUD_ACCESS_KEY_ID, ..., the credentials
	// file, the ECS instance role).
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	// Endpoint overrides the service's address: "http://127.0.0.1:18600"
	// or "https://cloudpush.aliyuncs.com". Empty: the SDK's endpoint for Region.
	Endpoint       string
	ConnectTimeout time.Duration // default 5s
	ReadTimeout    time.Duration // default 10s
	// MaxIdleClients bounds the SDK clients kept for reuse (default 64).
	MaxIdleClients int
}

// Client is the Alibaba Cloud implementation of push.Service.
//
// The SDK's Client writes its own http.Client's timeout and transport on
// every call, so one SDK client cannot serve concurrent calls. Client keeps
// a free list of SDK clients, each with its own keep-alive transport, and
// gives each call one of them.
type Client struct {
	cfg        Config
	credential credentials.CredentialsProvider
	scheme     string
	domain     string
	free       chan *sdkpush.Client
}

var _ push.Service = (*Client)(nil)

// New checks cfg, resolves the credentials once, and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Region == "" {
		return nil, fmt.Errorf("push service: region is required")
	}
	setDefaults(&cfg)
	c := &Client{cfg: cfg, free: make(chan *sdkpush.Client, cfg.MaxIdleClients)}
	if err := c.parseEndpoint(); err != nil {
		return nil, err
	}
	cred, err := resolveCredential(cfg)
	if err != nil {
		return nil, err
	}
	c.credential = cred
	sdkc, err := c.newSDKClient() // fail now, not on the first call
	if err != nil {
		return nil, err
	}
	c.put(sdkc)
	return c, nil
}

func setDefaults(cfg *Config) {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 10 * time.Second
	}
	if cfg.MaxIdleClients <= 0 {
		cfg.MaxIdleClients = 64
	}
}

func (c *Client) parseEndpoint() error {
	if c.cfg.Endpoint == "" {
		c.scheme = requests.HTTPS
		return nil
	}
	u, err := url.Parse(c.cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
		return fmt.Errorf("push service: endpoint %q must be scheme://host[:port], e.g. http://127.0.0.1:18600", c.cfg.Endpoint)
	}
	c.scheme, c.domain = strings.ToUpper(u.Scheme), u.Host
	return nil
}

// resolveCredential returns the credentials of cfg: a static AccessKey
// pair or STS token when cfg names one, otherwise the SDK's default
// provider chain, whose providers refresh what expires (an ECS instance
// RAM role, OIDC for RRSA in Kubernetes, a RAM role ARN in a CLI profile, a
// credentials URI). The chain is asked once now, so that missing
// credentials fail at start.
func resolveCredential(cfg Config) (credentials.CredentialsProvider, error) {
	switch {
	case cfg.AccessKeyID != "" && cfg.AccessKeySecret == "":
		return nil, fmt.Errorf("push service: an AccessKey ID is set without its secret")
	case cfg.AccessKeyID != "" && cfg.SecurityToken != "":
		return credentials.NewStaticSTSCredentialsProvider(cfg.AccessKeyID, cfg.AccessKeySecret, cfg.SecurityToken), nil
	case cfg.AccessKeyID != "":
		return credentials.NewStaticAKCredentialsProvider(cfg.AccessKeyID, cfg.AccessKeySecret), nil
	}
	p := &sharedProvider{p: credentials.NewDefaultCredentialsProvider()}
	if _, err := p.GetCredentials(); err != nil {
		// The chain's errors name files and variables, never secrets.
		return nil, fmt.Errorf("push service: no credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or run where the SDK's credential chain finds some (see the README): %w", err)
	}
	return p, nil
}

// sharedProvider lets the pool's SDK clients share one provider: the
// SDK's providers keep what they fetched without a lock.
type sharedProvider struct {
	mu sync.Mutex
	p  credentials.CredentialsProvider
}

func (s *sharedProvider) GetCredentials() (*credentials.Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.p.GetCredentials()
}

func (s *sharedProvider) GetProviderName() string { return s.p.GetProviderName() }

func (c *Client) newSDKClient() (*sdkpush.Client, error) {
	config := sdk.NewConfig().WithAutoRetry(false).WithMaxRetryTime(0)
	config.HttpTransport = &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		MaxIdleConns:        4,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
	}
	client, err := sdkpush.NewClientWithOptions(c.cfg.Region, config, c.credential)
	if err != nil {
		return nil, fmt.Errorf("push service: creating the SDK client: %w", err)
	}
	client.SetConnectTimeout(c.cfg.ConnectTimeout)
	client.SetReadTimeout(c.cfg.ReadTimeout)
	return client, nil
}

func (c *Client) get() (*sdkpush.Client, error) {
	select {
	case sdkc := <-c.free:
		return sdkc, nil
	default:
		return c.newSDKClient()
	}
}

func (c *Client) put(sdkc *sdkpush.Client) {
	select {
	case c.free <- sdkc:
	default:
		sdkc.Shutdown()
	}
}

// Close releases the idle SDK clients and their connections.
func (c *Client) Close() {
	for {
		select {
		case sdkc := <-c.free:
			sdkc.Shutdown()
		default:
			return
		}
	}
}

// prepare points an SDK request at the endpoint override, if any.
func (c *Client) prepare(r *requests.RpcRequest) {
	if c.domain != "" {
		r.Domain = c.domain
	}
	r.Scheme = c.scheme
}

// call runs do with a pooled SDK client and turns its error into a
// *push.Error. The SDK has no context: ctx is checked before the call,
// and the read timeout bounds the call itself.
func (c *Client) call(ctx context.Context, action string, do func(*sdkpush.Client) (string, error)) (push.Result, error) {
	return c.callDelivering(ctx, action, action == push.ActionContinuouslyPush, do)
}

// callDelivering is call for an action that delivers (its failures may be
// ambiguous) or not.
func (c *Client) callDelivering(ctx context.Context, action string, delivers bool, do func(*sdkpush.Client) (string, error)) (push.Result, error) {
	if err := ctx.Err(); err != nil {
		return push.Result{}, fmt.Errorf("%s: %w", action, err)
	}
	sdkc, err := c.get()
	if err != nil {
		return push.Result{}, err
	}
	requestID, err := do(sdkc)
	c.put(sdkc)
	if err != nil {
		return push.Result{}, convertCallError(action, delivers, err)
	}
	return push.Result{RequestID: requestID}, nil
}

// CreateMessage stores msg with Push(Target=TBD).
func (c *Client) CreateMessage(ctx context.Context, appKey int64, msg push.Message) (push.Result, error) {
	req := sdkpush.CreatePushRequest()
	c.prepare(req.RpcRequest)
	req.AppKey = requests.NewInteger64(appKey)
	req.Target = push.TargetTBD
	req.TargetValue = push.TargetTBD // required by Push; TBD with Target=TBD
	for k, v := range msg.Params() {
		req.QueryParams[k] = v
	}
	var mid string
	res, err := c.call(ctx, push.ActionPush, func(sdkc *sdkpush.Client) (string, error) {
		resp, err := sdkc.Push(req)
		if err != nil {
			return "", err
		}
		mid = resp.MessageId
		return resp.RequestId, nil
	})
	if err == nil && mid == "" {
		return res, &push.Error{Action: push.ActionPush, Class: push.ClassTransient, Code: "EmptyMessageId",
			Message: "Push answered without a MessageId", RequestID: res.RequestID, HTTPStatus: http.StatusOK}
	}
	res.MessageID = mid
	return res, err
}

// PushChunk sends the stored message to values with ContinuouslyPush.
func (c *Client) PushChunk(ctx context.Context, appKey int64, messageID, target string, values []string) (push.Result, error) {
	req := sdkpush.CreateContinuouslyPushRequest()
	c.prepare(req.RpcRequest)
	req.AppKey = requests.NewInteger64(appKey)
	req.MessageId = messageID
	req.Target = target
	req.TargetValue = strings.Join(values, ",")
	res, err := c.call(ctx, push.ActionContinuouslyPush, func(sdkc *sdkpush.Client) (string, error) {
		resp, err := sdkc.ContinuouslyPush(req)
		if err != nil {
			return "", err
		}
		return resp.RequestId, nil
	})
	res.MessageID = messageID
	return res, err
}

// CompleteMessage ends a stored message with CompleteContinuouslyPush.
func (c *Client) CompleteMessage(ctx context.Context, appKey int64, messageID string) (push.Result, error) {
	req := sdkpush.CreateCompleteContinuouslyPushRequest()
	c.prepare(req.RpcRequest)
	req.AppKey = requests.NewInteger64(appKey)
	req.MessageId = messageID
	res, err := c.call(ctx, push.ActionCompleteContinuouslyPush, func(sdkc *sdkpush.Client) (string, error) {
		resp, err := sdkc.CompleteContinuouslyPush(req)
		if err != nil {
			return "", err
		}
		return resp.RequestId, nil
	})
	res.MessageID = messageID
	return res, err
}
