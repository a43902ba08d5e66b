package pushsim

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
)

// maxBodyBytes bounds a form body; the SDK sends every parameter in the URL.
const maxBodyBytes = 4 << 20

// param is one decoded request parameter.
type param struct{ key, value string }

// params are a request's parameters, query and form body together, sorted
// by key with no key twice.
type params []param

// get returns the value of key, or "" when it is absent.
func (p params) get(key string) string {
	for i := range p {
		if p[i].key == key {
			return p[i].value
		}
	}
	return ""
}

// readParams decodes the query and the form body of r.
func readParams(r *http.Request) (params, error) {
	p := make(params, 0, 24)
	p, err := appendForm(p, r.URL.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	body, err := readForm(r)
	if err != nil {
		return nil, err
	}
	if p, err = appendForm(p, body); err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	return sortUnique(p)
}

// readForm returns r's body when it is a form, and fails on any other body.
func readForm(r *http.Request) (string, error) {
	if r.Body == nil || r.ContentLength == 0 {
		return "", nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading body: %w", err)
	}
	if len(b) > maxBodyBytes {
		return "", fmt.Errorf("body over %d bytes", maxBodyBytes)
	}
	if len(b) == 0 {
		return "", nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return "", fmt.Errorf("body of Content-Type %q: only a form body is read", ct)
	}
	return string(b), nil
}

// appendForm decodes the URL-encoded pairs of s onto p.
func appendForm(p params, s string) (params, error) {
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := unescape(k)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k, err)
		}
		value, err := unescape(v)
		if err != nil {
			return nil, fmt.Errorf("value of %s: %w", key, err)
		}
		p = append(p, param{key, value})
	}
	return p, nil
}

// unescape decodes a URL-encoded form key or value: "+" is a space and
// "%XX" a byte. It returns s itself when s has neither.
func unescape(s string) (string, error) {
	var b strings.Builder
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' && c != '+' {
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[start:i])
		if c == '+' {
			b.WriteByte(' ')
			start = i + 1
			continue
		}
		if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
			return "", fmt.Errorf("invalid escape %q", s[i:min(i+3, len(s))])
		}
		b.WriteByte(byte(unhex(s[i+1])<<4 | unhex(s[i+2])))
		i += 2
		start = i + 1
	}
	if b.Cap() == 0 {
		return s, nil
	}
	b.WriteString(s[start:])
	return b.String(), nil
}

// unhex returns the value of hex digit c, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// sortUnique sorts p by key and refuses a key given twice.
func sortUnique(p params) (params, error) {
	slices.SortFunc(p, func(a, b param) int { return strings.Compare(a.key, b.key) })
	for i := 1; i < len(p); i++ {
		if p[i].key == p[i-1].key {
			return nil, fmt.Errorf("parameter %s given more than once", p[i].key)
		}
	}
	return p, nil
}
