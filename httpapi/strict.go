package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// checkKeys walks the JSON value in raw as the Go type t decodes it and
// refuses what encoding/json lets through: a key given twice in one object
// (it keeps the last) and a key that names a field in another case (it
// matches them without regard to case). Keys of maps are free, but still
// once each. Malformed JSON is left for the decoder to report: checkKeys
// returns nil.
func checkKeys(raw []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	_, err := walkValue(dec, t, "")
	return err
}

// walkValue reads one value of type t (nil: any) at path. It returns ok
// false when the JSON is malformed, and the key error it found.
func walkValue(dec *json.Decoder, t reflect.Type, path string) (ok bool, err error) {
	tok, terr := dec.Token()
	if terr != nil {
		return false, nil
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch tok {
	case json.Delim('{'):
		return walkObject(dec, t, path)
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for dec.More() {
			if ok, err := walkValue(dec, elem, path); err != nil || !ok {
				return ok, err
			}
		}
		_, terr = dec.Token()
		return terr == nil, nil
	}
	return true, nil
}

// walkObject reads the members of an object up to its closing brace.
func walkObject(dec *json.Decoder, t reflect.Type, path string) (bool, error) {
	fields := jsonFields(t)
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		key, isKey := tok.(string)
		if err != nil || !isKey {
			return false, nil
		}
		name := joinPath(path, key)
		if seen[key] {
			return true, apiErr(CodeInvalidField, name, "%s: given twice; a key may appear once", name)
		}
		seen[key] = true
		var child reflect.Type
		switch {
		case t != nil && t.Kind() == reflect.Map:
			child = t.Elem()
		case fields != nil:
			f, exact := fields[key]
			if !exact {
				if want := foldMatch(fields, key); want != "" {
					return true, apiErr(CodeInvalidField, name, "%s: unknown field; names are case-sensitive: %s", name, joinPath(path, want))
				}
			}
			child = f
		}
		if ok, err := walkValue(dec, child, name); err != nil || !ok {
			return ok, err
		}
	}
	_, err := dec.Token()
	return err == nil, nil
}

// jsonFields returns the JSON names of struct type t's fields and their
// types, or nil when t is not a struct.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// foldMatch returns the field name that key matches without regard to
// case, or "".
func foldMatch(fields map[string]reflect.Type, key string) string {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return name
		}
	}
	return ""
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
