// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"sort"
	"strings"
)

// model is the plain meaning of metadata operations that the store, its
// journal merge and its rotations must agree with at every step.
type model map[string]map[string]Value

func under(path, dir string) bool {
	if dir == "/" {
		return true
	}
	return path == dir || strings.HasPrefix(path, dir+"/")
}

func (m model) set(path, key string, v Value) {
	if m[path] == nil {
		m[path] = map[string]Value{}
	}
	m[path][key] = v
}

func (m model) unset(path, key string) {
	delete(m[path], key)
	if len(m[path]) == 0 {
		delete(m, path)
	}
}

func (m model) remove(path string) {
	for p := range m {
		if under(p, path) {
			delete(m, p)
		}
	}
}

// copy replaces dst and everything under it with what src and everything
// under it held before the copy.
func (m model) copy(src, dst string) {
	moved := map[string]map[string]Value{}
	for p, kv := range m {
		if under(p, src) {
			rest := strings.TrimPrefix(p, strings.TrimRight(src, "/"))
			np := strings.TrimRight(dst, "/") + rest
			if np == "" {
				np = "/"
			}
			c := map[string]Value{}
			for k, v := range kv {
				c[k] = v
			}
			moved[np] = c
		}
	}
	m.remove(dst)
	for p, kv := range moved {
		m[p] = kv
	}
}

func (m model) keys(path string) []KeyValue {
	var out []KeyValue
	for k, v := range m[path] {
		out = append(out, KeyValue{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
