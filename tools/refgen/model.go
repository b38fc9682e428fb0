// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"sort"
	"strings"

	"gvfs-metadata/format"
)

// Str and List build values; the key is the one they are stored under in
// Keys. List never yields a nil slice, so an empty list stays
// distinguishable from "no list" all the way into the JSON.
func Str(s string) format.KeyValue { return format.KeyValue{Value: s} }
func List(items ...string) format.KeyValue {
	return format.KeyValue{List: append([]string{}, items...), IsList: true}
}

// gioString is how `gio info` prints the value: strings raw, lists as
// "[" + items joined by ", " + "]" (so ["a, b"] and ["a", "b"] print alike).
func gioString(v format.KeyValue) string {
	if v.IsList {
		return "[" + strings.Join(v.List, ", ") + "]"
	}
	return v.Value
}

// Keys are the metadata of one path, by key.
type Keys map[string]format.KeyValue

// Model is what the program expects the reference to hold, updated by every
// operation that the reference accepted. It follows the documented semantics
// (Remove takes the subtree; Move replaces the destination's subtree with a
// copy of the source's, then removes the source), independently of the
// format code under test.
type Model struct {
	paths map[string]Keys
	// ever holds every path that had metadata at some point, so that the
	// ones that lost it can be listed as "absent" and checked.
	ever map[string]bool
	// checks are extra paths to check for having no metadata even though
	// they never had any (e.g. the destination of gio copy --preserve).
	checks map[string]bool
}

func NewModel() *Model {
	return &Model{paths: map[string]Keys{}, ever: map[string]bool{}, checks: map[string]bool{}}
}

func (m *Model) Set(path, key string, v format.KeyValue) {
	k := m.paths[path]
	if k == nil {
		k = Keys{}
		m.paths[path] = k
	}
	k[key] = v
	m.ever[path] = true
}

func (m *Model) Unset(path, key string) {
	k := m.paths[path]
	delete(k, key)
	if len(k) == 0 {
		delete(m.paths, path)
	}
}

// under reports whether path is p or lies below it.
func under(path, p string) bool {
	if p == "/" {
		return strings.HasPrefix(path, "/")
	}
	return path == p || strings.HasPrefix(path, p+"/")
}

func (m *Model) Remove(p string) {
	for path := range m.paths {
		if under(path, p) {
			delete(m.paths, path)
		}
	}
}

func (m *Model) Move(src, dst string) {
	moved := map[string]Keys{}
	for path, k := range m.paths {
		if under(path, src) {
			moved[dst+path[len(src):]] = k
		}
	}
	m.Remove(dst)
	m.Remove(src)
	for path, k := range moved {
		m.paths[path] = k
		m.ever[path] = true
	}
}

// CheckAbsent asks for path to be verified as having no metadata.
func (m *Model) CheckAbsent(path string) { m.checks[path] = true }

// Expectation is a frozen copy of the model: what a snapshot must show.
type Expectation struct {
	Entries map[string]Keys
	Absent  []string // sorted by bytes
}

// Expect freezes the model. Values are copied so later operations cannot
// change an expectation already taken (the corrupt-tail case keeps two).
func (m *Model) Expect() *Expectation {
	e := &Expectation{Entries: map[string]Keys{}}
	for path, k := range m.paths {
		c := Keys{}
		for key, v := range k {
			if v.IsList {
				v = List(v.List...)
			}
			c[key] = v
		}
		e.Entries[path] = c
	}
	absent := map[string]bool{}
	for path := range m.ever {
		absent[path] = true
	}
	for path := range m.checks {
		absent[path] = true
	}
	for path := range absent {
		if _, ok := e.Entries[path]; !ok {
			e.Absent = append(e.Absent, path)
		}
	}
	sort.Strings(e.Absent)
	return e
}

// SortedPaths returns the entry paths sorted by bytes, the manifest's order.
func (e *Expectation) SortedPaths() []string {
	paths := make([]string, 0, len(e.Entries))
	for p := range e.Entries {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}
