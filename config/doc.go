// Package config is the one typed configuration of the cpush binary.
//
// A Config starts from Default, then takes an optional YAML file, then the
// environment, which wins over the file:
//
//	cfg, err := config.Load(os.Getenv, path) // path "" reads no file
//	if err != nil {
//		return err
//	}
//	if err := cfg.Validate(mode == "dev"); err != nil {
//		return err
//	}
//	logger.Info("config", zap.Stringer("config", cfg))
//
// Table lists every setting with its environment variable, YAML key,
// default and meaning; the README's table is checked against it.
//
// Secrets (the AccessKey secret, the STS token, the API and producer
// tokens and the Redis URL's password) are of types Secret and SecretURL,
// which redact themselves in String, fmt's verbs, JSON, YAML and text
// marshaling:
// String, fmt.Sprintf("%+v", cfg) and json.Marshal(cfg) are safe to log.
// Reveal gives the value to the one place that needs it.
package config
