package config

import "fmt"

// checkApps checks Apps: each entry's own fields, unique AppKeys, and one
// set of rates per quota holder.
func (c *Config) checkApps() []error {
	var errs []error
	index := map[int64]int{} // AppKey -> index of its first entry
	for i, a := range c.Apps {
		errs = append(errs, checkApp(i, a)...)
		if j, dup := index[a.AppKey]; dup && a.AppKey > 0 {
			errs = append(errs, problem(appPath(i, "app_key"), "%d is already the AppKey of apps[%d]", a.AppKey, j))
		} else {
			index[a.AppKey] = i
		}
	}
	return append(errs, c.checkSharedRates()...)
}

func appPath(i int, key string) string { return fmt.Sprintf("apps[%d].%s", i, key) }

func checkApp(i int, a App) []error {
	names := credentialNames{appPath(i, "access_key_id"), appPath(i, "access_key_secret"), appPath(i, "security_token")}
	errs := []error{
		checkInt(appPath(i, "app_key"), a.AppKey, positive),
		checkCredentials(names, a.AccessKeyID, a.AccessKeySecret, a.SecurityToken),
		checkAppRate(i, "rate_continuously_push", a.RateContinuouslyPush),
		checkAppRate(i, "rate_push", a.RatePush),
		checkAppRate(i, "rate_complete", a.RateComplete),
		checkAppRate(i, "rate_query_stats", a.RateQueryStats),
		checkAppAccount(i, a),
	}
	if a.Region != "" {
		errs = append(errs, checkRegion(appPath(i, "region"), a.Region))
	}
	return errs
}

// checkAppAccount: an AccessKey belongs to one main account, so an app on
// the top-level credentials has their quota owner and cannot name another.
func checkAppAccount(i int, a App) error {
	if a.AccountID != "" && a.AccessKeyID == "" {
		return problem(appPath(i, "account"), "applies only with the app's own access_key_id: the top-level AccessKey's owner is CPUSH_ACCOUNT")
	}
	return checkAccount(appPath(i, "account"), a.AccountID)
}

// checkAppRate allows 0, which inherits the top-level rate.
func checkAppRate(i int, key string, n int) error {
	if n < 0 {
		return problem(appPath(i, key), "must be %s (or left out to inherit), not %d", positive, n)
	}
	return nil
}

// checkSharedRates: apps whose merged settings name the same quota owner
// (App.Account) share one limiter, so they must agree on its rates.
func (c *Config) checkSharedRates() []error {
	var errs []error
	first := map[string]int{c.mergedAt(-1).Account(): -1} // -1: the top level
	for i, a := range c.Apps {
		m := c.inherit(a)
		j, ok := first[m.Account()]
		if min(a.RateContinuouslyPush, a.RatePush, a.RateComplete, a.RateQueryStats) < 0 {
			continue // checkAppRate names it
		}
		if !ok {
			first[m.Account()] = i
			continue
		}
		if rates(m) != rates(c.mergedAt(j)) {
			errs = append(errs, problem(fmt.Sprintf("apps[%d]", i),
				"its rates must be those of %s: one quota owner (account, else AccessKey ID) in one region has one quota", label(j)))
		}
	}
	return errs
}

// mergedAt is the merged App of entry i of Apps, or the top level for -1.
func (c *Config) mergedAt(i int) App {
	if i < 0 {
		return c.inherit(App{})
	}
	return c.inherit(c.Apps[i])
}

func label(i int) string {
	if i < 0 {
		return "the top-level settings"
	}
	return fmt.Sprintf("apps[%d]", i)
}

func rates(a App) [4]int {
	return [4]int{a.RateContinuouslyPush, a.RatePush, a.RateComplete, a.RateQueryStats}
}
