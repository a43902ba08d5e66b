package config

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// redacted replaces a secret wherever a Config or a Secret is printed.
const redacted = "[redacted]"

// Secret is a string that never prints: String, fmt's verbs (including %#v
// and %d), JSON, YAML and text marshaling all give "[redacted]", or "" when
// it is empty. Reveal gives the value.
type Secret string

// Reveal returns the secret's value, for the one place that needs it.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]", or "" when the secret is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns a Go expression of the redacted form, for %#v.
func (s Secret) GoString() string { return fmt.Sprintf("config.Secret(%q)", s.String()) }

// Format makes every fmt verb print the redacted form.
func (s Secret) Format(f fmt.State, verb rune) { format(f, verb, s.String(), s.GoString()) }

// MarshalJSON encodes the redacted form.
func (s Secret) MarshalJSON() ([]byte, error) { return marshalString(s.String()) }

// MarshalText encodes the redacted form.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalYAML encodes the redacted form.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// SecretURL is a URL whose password never prints: String, fmt's verbs,
// JSON, YAML and text marshaling give the URL with its password replaced by
// "[redacted]" (all of it when it does not parse). Reveal gives the value.
type SecretURL string

// Reveal returns the URL with its password, for the one place that needs it.
func (u SecretURL) Reveal() string { return string(u) }

// String returns the URL with its password replaced by "[redacted]".
func (u SecretURL) String() string { return redactURL(string(u)) }

// GoString returns a Go expression of the redacted form, for %#v.
func (u SecretURL) GoString() string { return fmt.Sprintf("config.SecretURL(%q)", u.String()) }

// Format makes every fmt verb print the redacted form.
func (u SecretURL) Format(f fmt.State, verb rune) { format(f, verb, u.String(), u.GoString()) }

// MarshalJSON encodes the redacted form.
func (u SecretURL) MarshalJSON() ([]byte, error) { return marshalString(u.String()) }

// MarshalText encodes the redacted form.
func (u SecretURL) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// MarshalYAML encodes the redacted form.
func (u SecretURL) MarshalYAML() (any, error) { return u.String(), nil }

// format prints safe, the redacted form, with f's verb and flags, and
// goSyntax for %#v.
func format(f fmt.State, verb rune, safe, goSyntax string) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, goSyntax)
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), safe)
}

func marshalString(s string) ([]byte, error) { return json.Marshal(s) }

// redactURL replaces the password of raw with "[redacted]". A value that
// does not parse as a URL with a host loses all it has before its last
// "@", or all of it when it has no "://".
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return redactUnparsed(raw)
	}
	if _, ok := u.User.Password(); !ok {
		return raw
	}
	user := url.User(u.User.Username()).String()
	u.User = nil
	rest := strings.TrimPrefix(u.String(), u.Scheme+"://")
	return u.Scheme + "://" + user + ":" + redacted + "@" + rest
}

func redactUnparsed(raw string) string {
	if raw == "" {
		return ""
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return redacted
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	return scheme + "://" + redacted + rest[at:]
}

// maskID shows the first 4 characters of an AccessKey ID.
func maskID(id string) string {
	if id == "" {
		return ""
	}
	if len(id) <= 4 {
		return "****"
	}
	return id[:4] + "****"
}
