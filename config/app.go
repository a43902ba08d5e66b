package config

// App is the settings of one AppKey. In Config.Apps an empty field inherits
// the top-level value; Config.App gives the merged settings. The
// credentials inherit together: an App without AccessKeyID takes the
// top-level AccessKeyID, AccessKeySecret and SecurityToken.
type App struct {
	// AppKey is the Mobile Push AppKey: positive, unique in Config.Apps.
	AppKey int64 `json:"app_key" yaml:"app_key"`
	// AccessKeyID, AccessKeySecret and SecurityToken are the app's own
	// credentials; with no AccessKeyID all three are the top level's.
	AccessKeyID     string `json:"access_key_id" yaml:"access_key_id"`
	AccessKeySecret Secret `json:"access_key_secret" yaml:"access_key_secret"`
	SecurityToken   Secret `json:"security_token" yaml:"security_token"`
	// Region is the app's region ("": the top level's).
	Region string `json:"region" yaml:"region"`
	// RateContinuouslyPush, RatePush and RateComplete are the quotas of the
	// app's account in calls per second (0: the top level's).
	RateContinuouslyPush int `json:"rate_continuously_push" yaml:"rate_continuously_push"`
	RatePush             int `json:"rate_push" yaml:"rate_push"`
	RateComplete         int `json:"rate_complete" yaml:"rate_complete"`
}

// Account names the quota holder of the App for a shared rate limiter:
// AccessKeyID@Region, or default@Region with the default credential chain.
func (a App) Account() string {
	id := a.AccessKeyID
	if id == "" {
		id = "default"
	}
	return id + "@" + a.Region
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

// Accounts returns one merged App per quota holder (App.Account): the
// top-level settings first (AppKey 0), then those of Apps in order, each
// with the AppKey of the first app that uses it.
func (c *Config) Accounts() []App {
	all := []App{c.inherit(App{})}
	seen := map[string]bool{all[0].Account(): true}
	for _, a := range c.Apps {
		m := c.inherit(a)
		if !seen[m.Account()] {
			seen[m.Account()] = true
			all = append(all, m)
		}
	}
	return all
}

// inherit fills the empty fields of a from the top level.
func (c *Config) inherit(a App) App {
	if a.AccessKeyID == "" {
		a.AccessKeyID, a.AccessKeySecret, a.SecurityToken = c.AccessKeyID, c.AccessKeySecret, c.SecurityToken
	}
	a.Region = orString(a.Region, c.Region)
	a.RateContinuouslyPush = orInt(a.RateContinuouslyPush, c.RateContinuouslyPush)
	a.RatePush = orInt(a.RatePush, c.RatePush)
	a.RateComplete = orInt(a.RateComplete, c.RateComplete)
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
