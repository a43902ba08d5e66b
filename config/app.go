package config

// App is the settings of one AppKey. In Config.Apps an empty field inherits
// the top-level value; Config.App gives the merged settings. The
// credentials inherit together: an App without AccessKeyID takes the
// top-level AccessKeyID, AccessKeySecret, SecurityToken and AccountID.
type App struct {
	// AppKey is the Mobile Push AppKey: positive, unique in Config.Apps.
	AppKey int64 `json:"app_key" yaml:"app_key"`
	// AccessKeyID, AccessKeySecret and SecurityToken are the app's own
	// credentials; with no AccessKeyID all three are the top level's.
	AccessKeyID     string `json:"access_key_id" yaml:"access_key_id"`
	AccessKeySecret Secret `json:"access_key_secret" yaml:"access_key_secret"`
	SecurityToken   Secret `json:"security_token" yaml:"security_token"`
	// AccountID is the main account that owns the app's AccessKey, and so
	// its quotas (none: its AccessKeyID). Only with the app's own
	// AccessKeyID: an app on the top-level credentials has their owner.
	AccountID string `json:"account" yaml:"account"`
	// Region is the app's region ("": the top level's).
	Region string `json:"region" yaml:"region"`
	// RateContinuouslyPush, RatePush, RateComplete and RateQueryStats are
	// the quotas of the app's account in calls per second (0: the top
	// level's).
	RateContinuouslyPush int `json:"rate_continuously_push" yaml:"rate_continuously_push"`
	RatePush             int `json:"rate_push" yaml:"rate_push"`
	RateComplete         int `json:"rate_complete" yaml:"rate_complete"`
	RateQueryStats       int `json:"rate_query_stats" yaml:"rate_query_stats"`
}

// Account names the owner of the App's quotas for the shared rate
// limiter: the quotas are per main account, region and API
// (help.aliyun.com document 2249912), so it is AccountID@Region, with the
// AccessKeyID standing in for an unset AccountID and "default" for the
// SDK's default credential chain.
func (a App) Account() string {
	return orString(orString(a.AccountID, a.AccessKeyID), "default") + "@" + a.Region
}

// CredentialKey names the App's credentials and region:
// AccessKeyID@Region, or default@Region with the default credential chain.
// Apps with one CredentialKey can share one push service client.
func (a App) CredentialKey() string {
	return orString(a.AccessKeyID, "default") + "@" + a.Region
}

// App returns the merged settings of appKey: its entry in Apps with the
// empty fields taken from the top level, or the top-level settings when
// Apps does not list it.
func (c *Config) App(appKey int64) App {
	for _, a := range c.Apps {
		if a.AppKey == appKey {
			return c.inherit(a)
		}
	}
	return c.inherit(App{AppKey: appKey})
}

// Accounts returns one merged App per quota owner (App.Account): the
// top-level settings first (AppKey 0), then those of Apps in order, each
// with the AppKey of the first app that uses it.
func (c *Config) Accounts() []App {
	return c.distinct(App.Account)
}

// Clients returns one merged App per set of credentials and region
// (App.CredentialKey), in the order of Accounts: each needs its own push
// service client, even where several share one quota owner.
func (c *Config) Clients() []App {
	return c.distinct(App.CredentialKey)
}

// distinct returns the top-level settings and the merged Apps, one per
// value of key, in order.
func (c *Config) distinct(key func(App) string) []App {
	all := []App{c.inherit(App{})}
	seen := map[string]bool{key(all[0]): true}
	for _, a := range c.Apps {
		m := c.inherit(a)
		if !seen[key(m)] {
			seen[key(m)] = true
			all = append(all, m)
		}
	}
	return all
}

// inherit fills the empty fields of a from the top level.
func (c *Config) inherit(a App) App {
	if a.AccessKeyID == "" {
		a.AccessKeyID, a.AccessKeySecret, a.SecurityToken = c.AccessKeyID, c.AccessKeySecret, c.SecurityToken
		a.AccountID = c.AccountID
	}
	a.Region = orString(a.Region, c.Region)
	a.RateContinuouslyPush = orInt(a.RateContinuouslyPush, c.RateContinuouslyPush)
	a.RatePush = orInt(a.RatePush, c.RatePush)
	a.RateComplete = orInt(a.RateComplete, c.RateComplete)
	a.RateQueryStats = orInt(a.RateQueryStats, c.RateQueryStats)
	return a
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orInt(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}
