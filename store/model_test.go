// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"sort"
	"strings"

	"gvfs-metadata/format"
)

// model is the plain meaning of metadata operations that the store, its
// journal merge and its rotations must agree with at every step.
type model map[string]map[string]format.KeyValue

func under(path, dir string) bool {
	if dir == "/" {
		return true
	}
	return path == dir || strings.HasPrefix(path, dir+"/")
}

func (m model) set(path, key string, v format.KeyValue) {
	if m[path] == nil {
		m[path] = map[string]format.KeyValue{}
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
	moved := map[string]map[string]format.KeyValue{}
	for p, kv := range m {
		if under(p, src) {
			rest := strings.TrimPrefix(p, strings.TrimRight(src, "/"))
			np := strings.TrimRight(dst, "/") + rest
			if np == "" {
				np = "/"
			}
			c := map[string]format.KeyValue{}
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

func (m model) keys(path string) []format.KeyValue {
	var out []format.KeyValue
	for k, v := range m[path] {
		v.Key = k
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
