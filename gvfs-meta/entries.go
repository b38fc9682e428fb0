// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"gvfs-metadata/format"
)

// jsonEntry is one path of a dump or export: a path (or, when its bytes
// are not UTF-8, path_base64), when it last changed, and its keys, each a
// string or a list of strings.
type jsonEntry struct {
	Path        string         `json:"path,omitempty"`
	PathBase64  string         `json:"path_base64,omitempty"`
	LastChanged int64          `json:"last_changed,omitempty"`
	Keys        map[string]any `json:"keys,omitempty"`
}

type jsonDocument struct {
	Entries []jsonEntry `json:"entries"`
}

// rawPath returns the entry's path bytes.
func (e *jsonEntry) rawPath() (string, error) {
	if e.PathBase64 != "" {
		b, err := base64.StdEncoding.DecodeString(e.PathBase64)
		return string(b), err
	}
	return e.Path, nil
}

func newJSONEntry(path string, n *format.Node) jsonEntry {
	e := jsonEntry{LastChanged: n.LastChanged}
	if utf8.ValidString(path) {
		e.Path = path
	} else {
		e.PathBase64 = base64.StdEncoding.EncodeToString([]byte(path))
	}
	if len(n.Keys) > 0 {
		e.Keys = make(map[string]any, len(n.Keys))
		for _, kv := range n.Keys {
			e.Keys[kv.Key] = clientValue(kv)
		}
	}
	return e
}

// visit calls fn for every node of a merged tree with its absolute path,
// parents before children.
func visit(n *format.Node, path string, fn func(path string, n *format.Node)) {
	fn(path, n)
	for _, c := range n.Children {
		visit(c, strings.TrimSuffix(path, "/")+"/"+c.Name, fn)
	}
}

func marshalIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// visitNodes calls fn with the key count of every node that has keys.
func visitNodes(n *format.Node, fn func(keys int)) {
	if len(n.Keys) > 0 {
		fn(len(n.Keys))
	}
	for _, c := range n.Children {
		visitNodes(c, fn)
	}
}
