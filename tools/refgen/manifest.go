// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// The manifest: see testdata/README.md. A path is {"path": "..."} when it is
// valid UTF-8, else {"path_base64": "..."} (standard base64 of the raw
// bytes); entries add "keys"; absent paths are bare path objects.

type manifestPath struct {
	Path       string `json:"path,omitempty"`
	PathBase64 string `json:"path_base64,omitempty"`
}

type manifestEntry struct {
	manifestPath
	Keys map[string]any `json:"keys"`
}

func newManifestPath(p string) manifestPath {
	if utf8.ValidString(p) {
		return manifestPath{Path: p}
	}
	return manifestPath{PathBase64: base64.StdEncoding.EncodeToString([]byte(p))}
}

// marshalManifest writes one entry per line: valid JSON that stays small
// and diffs well for the 10,000-path cases. journal is "" for none (null).
func marshalManifest(description, journal string, exp *Expectation) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\n")
	field := func(name string, v any, comma bool) error {
		j, err := compactJSON(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "  %q: %s", name, j)
		if comma {
			b.WriteString(",")
		}
		b.WriteString("\n")
		return nil
	}
	var journalField any
	if journal != "" {
		journalField = journal
	}
	if err := field("description", description, true); err != nil {
		return nil, err
	}
	if err := field("tree", "home", true); err != nil {
		return nil, err
	}
	if err := field("journal", journalField, true); err != nil {
		return nil, err
	}

	var entries []any
	for _, p := range exp.SortedPaths() {
		keys := map[string]any{}
		for key, v := range exp.Entries[p] {
			if !utf8.ValidString(key) || !utf8.ValidString(v.Value) {
				return nil, fmt.Errorf("%q: key or value is not UTF-8", p)
			}
			if v.IsList {
				keys[key] = v.List
			} else {
				keys[key] = v.Value
			}
		}
		entries = append(entries, manifestEntry{newManifestPath(p), keys})
	}
	var absent []any
	for _, p := range exp.Absent {
		absent = append(absent, newManifestPath(p))
	}
	for i, list := range [][]any{entries, absent} {
		name := []string{"entries", "absent"}[i]
		fmt.Fprintf(&b, "  %q: [", name)
		for j, item := range list {
			if j > 0 {
				b.WriteString(",")
			}
			data, err := compactJSON(item)
			if err != nil {
				return nil, err
			}
			b.WriteString("\n    ")
			b.Write(data)
		}
		if len(list) > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString("]")
		if i == 0 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	if !json.Valid(b.Bytes()) {
		return nil, fmt.Errorf("internal error: manifest is not valid JSON")
	}
	return b.Bytes(), nil
}

// compactJSON marshals without HTML escaping, so "<" and "&" in values stay
// readable.
func compactJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
