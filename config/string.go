package config

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// String returns c as YAML for a log or a status page, one setting a
// line: secrets and the Redis URL's password read "[redacted]" (empty
// ones ""), and AccessKey IDs show their first 4 characters.
func (c Config) String() string {
	c.AccessKeyID = maskID(c.AccessKeyID)
	c.Apps = append([]App(nil), c.Apps...)
	for i := range c.Apps {
		c.Apps[i].AccessKeyID = maskID(c.Apps[i].AccessKeyID)
	}
	out, err := yaml.Marshal(c)
	if err != nil { // no field can fail to marshal
		return "config: " + err.Error()
	}
	return strings.TrimSuffix(string(out), "\n")
}
