package config

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// decodeYAML sets the fields that data, a YAML mapping of the keys in
// Table, gives. A key that is null leaves its field as it was.
func (c *Config) decodeYAML(data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	root := content(&doc)
	if root == nil {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return atLine(root, errors.New("must be a mapping of setting keys to values"))
	}
	return eachKey(root, "", func(k, v *yaml.Node) error {
		if k.Value == keyApps {
			return c.decodeApps(v)
		}
		return setKey(c, fields, "", "", k, v)
	})
}

// decodeApps sets Apps from a list of mappings.
func (c *Config) decodeApps(n *yaml.Node) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return atLine(n, problem(keyApps, "must be a list of mappings"))
	}
	c.Apps = make([]App, len(n.Content))
	var errs []error
	for i, item := range n.Content {
		errs = append(errs, decodeApp(&c.Apps[i], i, resolve(item)))
	}
	return errors.Join(errs...)
}

func decodeApp(a *App, i int, n *yaml.Node) error {
	path := fmt.Sprintf("apps[%d]", i)
	if n.Kind != yaml.MappingNode {
		return atLine(n, problem(path, "must be a mapping of keys to values"))
	}
	return eachKey(n, path+".", func(k, v *yaml.Node) error {
		return setKey(a, appFields, "apps[].", path+".", k, v)
	})
}

// eachKey calls fn with each key and value of the mapping n, and returns
// the errors joined; a key given twice is one of them, named path+key.
func eachKey(n *yaml.Node, path string, fn func(k, v *yaml.Node) error) error {
	seen := map[string]bool{}
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if seen[k.Value] {
			errs = append(errs, atLine(k, problem(path+k.Value, "set twice")))
			continue
		}
		seen[k.Value] = true
		errs = append(errs, fn(k, v))
	}
	return errors.Join(errs...)
}

// setKey sets the field of fs whose YAML key is kind+k (kind "" or
// "apps[]."), naming it path+k in errors.
func setKey[S any](s *S, fs []field[S], kind, path string, k, v *yaml.Node) error {
	f, ok := lookup(fs, kind+k.Value)
	if !ok {
		return atLine(k, problem(path+k.Value, "unknown key"))
	}
	return atLine(v, checkField(path+k.Value, f.decode(s, v)))
}

// decode sets f from a YAML value: a scalar, or a list of scalars for a
// list field.
func (f field[S]) decode(s *S, v *yaml.Node) error {
	switch {
	case isNull(v):
		return nil
	case f.list != nil:
		items, err := scalars(v)
		if err != nil {
			return err
		}
		return f.list(s, items)
	case v.Kind != yaml.ScalarNode:
		return errors.New("must be a single value, not a list or mapping")
	}
	return f.set(s, v.Value)
}

func scalars(n *yaml.Node) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errors.New("must be a list of strings")
	}
	var items []string
	for _, item := range n.Content {
		if item = resolve(item); item.Kind != yaml.ScalarNode {
			return nil, errors.New("must be a list of strings")
		}
		items = append(items, item.Value)
	}
	return items, nil
}

// content is the top node of a document, or nil for an empty one.
func content(doc *yaml.Node) *yaml.Node {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil
	}
	return doc.Content[0]
}

func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// atLine prefixes err, if any, with the line of n.
func atLine(n *yaml.Node, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("line %d: %w", n.Line, err)
}
