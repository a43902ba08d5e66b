package config

import (
	"errors"
	"fmt"
	"os"
)

// Load returns Default, overlaid with the YAML file (none when file is
// ""), overlaid with the environment read through getenv (nil reads none),
// which wins over the file. An empty environment value counts as unset.
//
// Load checks each value's type and range and names the variable or key
// in its errors (`CPUSH_CONCURRENCY: must be an integer from 1 to 10000,
// not "abc"`), as does a key the file should not have; Validate checks
// the rest.
func Load(getenv func(string) string, file string) (Config, error) {
	c := Default()
	if file != "" {
		if err := c.loadFile(file); err != nil {
			return Config{}, err
		}
	}
	if err := c.loadEnv(getenv); err != nil {
		return Config{}, err
	}
	return c, nil
}

func (c *Config) loadFile(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("reading config file: %w", err)
	}
	if err := c.decodeYAML(data); err != nil {
		return fmt.Errorf("config file %s: %w", file, err)
	}
	return nil
}

// loadEnv sets each field whose environment variable is not empty; a list
// is comma-separated.
func (c *Config) loadEnv(getenv func(string) string) error {
	if getenv == nil {
		return nil
	}
	var errs []error
	for _, f := range fields {
		v := ""
		if f.Env != "" {
			v = getenv(f.Env)
		}
		switch {
		case v == "":
		case f.list != nil:
			errs = append(errs, checkField(f.Env, f.list(c, splitList(v))))
		default:
			errs = append(errs, checkField(f.Env, f.set(c, v)))
		}
	}
	return errors.Join(errs...)
}
