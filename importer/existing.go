// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"gvfs-metadata/format"
	"gvfs-metadata/store"
)

// Reader reads the metadata a file already has.
type Reader interface {
	Keys(treefile, path string) (map[string]format.KeyValue, error)
}

// Writer sets metadata keys of a file: the daemon's Set, whose values are
// strings or string lists.
type Writer interface {
	Set(treefile, path string, values map[string]any) error
}

// TreeReader reads existing metadata straight from the tree files, the
// way every application does (read-only, tree and journal merged), so
// that deciding what to keep needs nothing from the daemon. Each tree is
// opened once and sees later writes by the daemon.
type TreeReader struct {
	stores map[string]*store.Store
}

// Keys returns every key path has in treefile (none when the tree does
// not exist yet).
func (r *TreeReader) Keys(treefile, path string) (map[string]format.KeyValue, error) {
	s, ok := r.stores[treefile]
	if !ok {
		var err error
		if s, err = store.Open(treefile, store.Options{ReadOnly: true}); err != nil {
			return nil, err
		}
		if r.stores == nil {
			r.stores = map[string]*store.Store{}
		}
		r.stores[treefile] = s
	}
	kvs, err := s.Keys(path)
	if err != nil {
		return nil, err
	}
	keys := make(map[string]format.KeyValue, len(kvs))
	for _, kv := range kvs {
		keys[kv.Key] = kv
	}
	return keys, nil
}

// Close releases the trees.
func (r *TreeReader) Close() {
	for _, s := range r.stores {
		s.Close()
	}
	r.stores = nil
}
