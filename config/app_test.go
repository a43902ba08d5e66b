package config_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cpush/cpush/config"
)

// withApps returns a valid Config with a top-level AccessKey and apps.
func withApps(apps ...config.App) config.Config {
	c := valid()
	c.AccessKeyID, c.AccessKeySecret = "LTAItop", "top-secret"
	c.Apps = apps
	return c
}

func TestConfig_App(t *testing.T) {
	c := withApps(
		config.App{AppKey: 1, RatePush: 7},
		config.App{AppKey: 2, AccessKeyID: "LTAIapp", AccessKeySecret: "app-secret", Region: "cn-beijing"},
		config.App{AppKey: 3, SecurityToken: "stray"},
	)
	tests := []struct {
		name   string
		appKey int64
		want   config.App
	}{
		{name: "inherits empty fields", appKey: 1, want: config.App{
			AppKey: 1, AccessKeyID: "LTAItop", AccessKeySecret: "top-secret", Region: "cn-hangzhou",
			RateContinuouslyPush: 500, RatePush: 7, RateComplete: 163, RateQueryStats: 50}},
		{name: "own credentials and region", appKey: 2, want: config.App{
			AppKey: 2, AccessKeyID: "LTAIapp", AccessKeySecret: "app-secret", Region: "cn-beijing",
			RateContinuouslyPush: 500, RatePush: 16393, RateComplete: 163, RateQueryStats: 50}},
		{name: "credentials inherit together", appKey: 3, want: config.App{
			AppKey: 3, AccessKeyID: "LTAItop", AccessKeySecret: "top-secret", Region: "cn-hangzhou",
			RateContinuouslyPush: 500, RatePush: 16393, RateComplete: 163, RateQueryStats: 50}},
		{name: "unlisted AppKey gets the top level", appKey: 99, want: config.App{
			AppKey: 99, AccessKeyID: "LTAItop", AccessKeySecret: "top-secret", Region: "cn-hangzhou",
			RateContinuouslyPush: 500, RatePush: 16393, RateComplete: 163, RateQueryStats: 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.App(tt.appKey); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("App(%d) = %#v, want %#v", tt.appKey, got, tt.want)
			}
		})
	}
}

func TestApp_Account(t *testing.T) {
	tests := []struct {
		name string
		app  config.App
		want string
	}{
		{name: "AccessKey", app: config.App{AccessKeyID: "LTAIabc", Region: "cn-hangzhou"}, want: "LTAIabc@cn-hangzhou"},
		{name: "default chain", app: config.App{Region: "cn-shanghai"}, want: "default@cn-shanghai"},
		{name: "main account", app: config.App{AccessKeyID: "LTAIabc", AccountID: "1234567890", Region: "cn-hangzhou"},
			want: "1234567890@cn-hangzhou"},
		{name: "main account, default chain", app: config.App{AccountID: "1234567890", Region: "cn-hangzhou"},
			want: "1234567890@cn-hangzhou"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.app.Account(); got != tt.want {
				t.Errorf("Account() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConfig_Accounts(t *testing.T) {
	c := withApps(
		config.App{AppKey: 1},
		config.App{AppKey: 2, AccessKeyID: "LTAIapp", AccessKeySecret: "s"},
		config.App{AppKey: 3, Region: "cn-beijing"},
		config.App{AppKey: 4, AccessKeyID: "LTAIapp", AccessKeySecret: "s"},
	)
	var got []string
	for _, a := range c.Accounts() {
		got = append(got, a.Account())
	}
	want := []string{"LTAItop@cn-hangzhou", "LTAIapp@cn-hangzhou", "LTAItop@cn-beijing"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Accounts() = %v, want %v", got, want)
	}
}

func TestConfig_App_account(t *testing.T) {
	c := withApps(
		config.App{AppKey: 1},
		config.App{AppKey: 2, AccessKeyID: "LTAIramB", AccessKeySecret: "s", AccountID: "1234567890"},
		config.App{AppKey: 3, AccessKeyID: "LTAIother", AccessKeySecret: "s"},
	)
	c.AccountID = "1234567890"
	tests := []struct {
		name       string
		appKey     int64
		account    string
		credential string
	}{
		{"top level", 1, "1234567890@cn-hangzhou", "LTAItop@cn-hangzhou"},
		{"another RAM user of the same main account", 2, "1234567890@cn-hangzhou", "LTAIramB@cn-hangzhou"},
		{"own AccessKey, no account", 3, "LTAIother@cn-hangzhou", "LTAIother@cn-hangzhou"},
		{"unlisted", 99, "1234567890@cn-hangzhou", "LTAItop@cn-hangzhou"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := c.App(tt.appKey)
			if a.Account() != tt.account || a.CredentialKey() != tt.credential {
				t.Errorf("App(%d): Account() = %q, CredentialKey() = %q; want %q, %q",
					tt.appKey, a.Account(), a.CredentialKey(), tt.account, tt.credential)
			}
		})
	}
	t.Run("one limiter, two clients", func(t *testing.T) {
		if got := keys(c.Accounts(), config.App.Account); !reflect.DeepEqual(got, []string{"1234567890@cn-hangzhou", "LTAIother@cn-hangzhou"}) {
			t.Errorf("Accounts() = %v", got)
		}
		want := []string{"LTAItop@cn-hangzhou", "LTAIramB@cn-hangzhou", "LTAIother@cn-hangzhou"}
		if got := keys(c.Clients(), config.App.CredentialKey); !reflect.DeepEqual(got, want) {
			t.Errorf("Clients() = %v, want %v", got, want)
		}
	})
}

func keys(apps []config.App, key func(config.App) string) []string {
	var out []string
	for _, a := range apps {
		out = append(out, key(a))
	}
	return out
}

func TestConfig_Validate_apps(t *testing.T) {
	tests := []struct {
		name  string
		apps  []config.App
		field string // the one bad field; "" for none
		want  string
	}{
		{name: "valid", apps: []config.App{{AppKey: 1}, {AppKey: 2, AccessKeyID: "LTAIapp", AccessKeySecret: "s", RatePush: 5}}},
		{name: "AppKey missing", apps: []config.App{{AppKey: 1}, {Region: "cn-beijing"}},
			field: "apps[1].app_key", want: "must be a positive integer, not 0"},
		{name: "AppKey twice", apps: []config.App{{AppKey: 1}, {AppKey: 2}, {AppKey: 1}},
			field: "apps[2].app_key", want: "1 is already the AppKey of apps[0]"},
		{name: "ID without secret", apps: []config.App{{AppKey: 1, AccessKeyID: "LTAIapp"}},
			field: "apps[0].access_key_secret", want: "required when apps[0].access_key_id is set"},
		{name: "secret without ID", apps: []config.App{{AppKey: 1, AccessKeySecret: "s"}},
			field: "apps[0].access_key_id", want: "required when apps[0].access_key_secret is set"},
		{name: "bad region", apps: []config.App{{AppKey: 1, Region: "CN HZ"}},
			field: "apps[0].region", want: "region ID"},
		{name: "negative rate", apps: []config.App{{AppKey: 1, RateComplete: -1}},
			field: "apps[0].rate_complete", want: "not -1"},
		{name: "shared account, other rates", apps: []config.App{{AppKey: 1, RatePush: 5}},
			field: "apps[0]", want: "rates must be those of the top-level settings"},
		{name: "shared own account, other rates", apps: []config.App{
			{AppKey: 1, AccessKeyID: "LTAIapp", AccessKeySecret: "s"},
			{AppKey: 2, AccessKeyID: "LTAIapp", AccessKeySecret: "s", RatePush: 5}},
			field: "apps[1]", want: "rates must be those of apps[0]"},
		{name: "other region, other rates", apps: []config.App{{AppKey: 1, Region: "cn-beijing", RatePush: 5}}},
		{name: "account without own AccessKey", apps: []config.App{{AppKey: 1, AccountID: "1234567890"}},
			field: "apps[0].account", want: "only with the app's own access_key_id"},
		{name: "bad account", apps: []config.App{{AppKey: 1, AccessKeyID: "LTAIapp", AccessKeySecret: "s", AccountID: "a b"}},
			field: "apps[0].account", want: "main account's ID"},
		{name: "negative query stats rate", apps: []config.App{{AppKey: 1, RateQueryStats: -1}},
			field: "apps[0].rate_query_stats", want: "not -1"},
		{name: "two AccessKeys of one main account, other rates", apps: []config.App{
			{AppKey: 1, AccessKeyID: "LTAIramA", AccessKeySecret: "s", AccountID: "1234567890"},
			{AppKey: 2, AccessKeyID: "LTAIramB", AccessKeySecret: "s", AccountID: "1234567890", RateComplete: 50}},
			field: "apps[1]", want: "rates must be those of apps[0]"},
		{name: "two AccessKeys of one main account, same rates", apps: []config.App{
			{AppKey: 1, AccessKeyID: "LTAIramA", AccessKeySecret: "s", AccountID: "1234567890", RatePush: 9},
			{AppKey: 2, AccessKeyID: "LTAIramB", AccessKeySecret: "s", AccountID: "1234567890", RatePush: 9}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := withApps(tt.apps...)
			errs := fieldErrors(t, c.Validate(false))
			if tt.field == "" {
				if len(errs) != 0 {
					t.Fatalf("Validate() = %v, want nil", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tt.field || !strings.Contains(errs[0].Problem, tt.want) {
				t.Errorf("Validate() = %v, want one error for %s containing %q", errs, tt.field, tt.want)
			}
		})
	}
}
