// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"sort"

	"gvfs-metadata/format"
)

// Child describes one entry of a directory listing.
type Child struct {
	Name        string
	LastChanged int64
	HasChildren bool
	HasData     bool
}

// view is what one lookup sees: the tree and the journal entries, newest
// first.
type view struct {
	tree    *format.Tree
	entries [][]byte // each decodes with format.DecodeEntry(b, 0)
}

// viewLocked returns the current view. Called with s.mu held; the returned
// slices stay valid while it is held.
func (s *Store) viewLocked() view {
	var v view
	if s.tree != nil {
		v.tree = s.tree.t
	}
	if s.journal != nil {
		j := s.journal.j
		for i := j.Len() - 1; i >= 0; i-- {
			v.entries = append(v.entries, j.EntryBytes(i, i+1))
		}
	}
	return v
}

// read runs fn on the current view, after picking up other processes'
// rotations and journal entries.
func (s *Store) read(fn func(v view)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(); err != nil {
		return err
	}
	fn(s.viewLocked())
	return nil
}

// Get returns key on path with its value. What is not found is the zero
// KeyValue.
func (s *Store) Get(path, key string) (kv format.KeyValue, found bool, err error) {
	err = s.read(func(v view) { kv, found = v.get([]byte(path), key) })
	return
}

func (v view) get(path []byte, key string) (kv format.KeyValue, found bool) {
	by, decided, final := v.decideKey(path, key)
	if decided {
		return entryValue(&by)
	}
	return v.inTree(final, key)
}

// inTree returns key on path in the tree alone.
func (v view) inTree(path []byte, key string) (kv format.KeyValue, found bool) {
	if v.tree == nil {
		return format.KeyValue{}, false
	}
	d, ok, err := v.tree.Lookup(path)
	if err != nil || !ok {
		return format.KeyValue{}, false
	}
	data, err := d.Data()
	if err != nil {
		return format.KeyValue{}, false
	}
	id, ok := v.tree.KeyID([]byte(key))
	if !ok {
		return format.KeyValue{}, false
	}
	it, ok := data.Find(id)
	if !ok {
		return format.KeyValue{}, false
	}
	kv, err = readItem(it)
	if err != nil {
		return format.KeyValue{}, false
	}
	return kv, true
}

// entryValue returns the key a set or set-list entry gives, with strings
// of its own: the entry's bytes belong to the journal mapping.
func entryValue(e *format.Entry) (format.KeyValue, bool) {
	switch e.Op {
	case format.OpSet:
		return format.KeyValue{Key: string(e.Key), Value: string(e.Value)}, true
	case format.OpSetList:
		l := make([]string, len(e.List))
		for i, x := range e.List {
			l[i] = string(x)
		}
		return format.KeyValue{Key: string(e.Key), IsList: true, List: l}, true
	}
	return format.KeyValue{}, false
}

// Keys returns every key of path with its value, sorted by key.
func (s *Store) Keys(path string) (kvs []format.KeyValue, err error) {
	err = s.read(func(v view) { kvs = v.keys([]byte(path)) })
	return
}

func (v view) keys(path []byte) []format.KeyValue {
	seen, order, final, ok := v.decideKeys(path)
	var out []format.KeyValue
	for _, k := range order {
		if kv := seen[k]; kv != nil {
			out = append(out, *kv)
		}
	}
	if ok && v.tree != nil {
		if d, found, err := v.tree.Lookup(final); err == nil && found {
			if data, err := d.Data(); err == nil {
				for i := 0; i < data.Len(); i++ {
					kv, err := readItem(data.Item(i))
					if err != nil {
						continue
					}
					if _, dup := seen[kv.Key]; dup {
						continue
					}
					out = append(out, kv)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// LastChanged returns when path last changed, 0 when unknown, with the C
// reader's rules (a newer key change or removal of path decides).
func (s *Store) LastChanged(path string) (t int64, err error) {
	err = s.read(func(v view) { t = v.lastChanged([]byte(path)) })
	return
}

func (v view) lastChanged(path []byte) int64 {
	by, decided, final := v.decide(path, func(*format.Entry) bool { return true })
	if decided {
		return int64(by.Mtime)
	}
	return v.treeLastChanged(final)
}

// treeLastChanged returns when path last changed in the tree alone.
func (v view) treeLastChanged(path []byte) int64 {
	if v.tree == nil {
		return 0
	}
	if d, found, err := v.tree.Lookup(path); err == nil && found {
		return d.LastChanged()
	}
	return 0
}

// Children lists the entries directly under path, with the C reader's
// merge of tree and journal, sorted by name.
func (s *Store) Children(path string) (kids []Child, err error) {
	err = s.read(func(v view) { kids = v.children([]byte(path)) })
	return
}

func (v view) children(path []byte) []Child {
	infos, final, ok := v.decideChildren(path)
	var out []Child
	if ok && v.tree != nil {
		if d, found, err := v.tree.Lookup(final); err == nil && found {
			if dir, err := d.Children(); err == nil {
				for i := 0; i < dir.Len(); i++ {
					c := dir.Child(i)
					name, err := c.Name()
					if err != nil {
						continue
					}
					// A written tree gives leaves an empty children block and
					// keyless entries an empty data block: only what a block
					// holds counts.
					kids, kerr := c.Children()
					data, derr := c.Data()
					ch := Child{Name: string(name), LastChanged: c.LastChanged(), HasChildren: kerr == nil && kids.Len() > 0, HasData: derr == nil && data.Len() > 0}
					if ci := infos[ch.Name]; ci != nil {
						if ci.deleted {
							continue
						}
						ci.reported = true
						ch.LastChanged = max(ch.LastChanged, ci.LastChanged)
						ch.HasChildren = ch.HasChildren || ci.HasChildren
						ch.HasData = ch.HasData || ci.HasData
					}
					out = append(out, ch)
				}
			}
		}
	}
	for _, ci := range infos {
		if ci.exists && !ci.reported {
			out = append(out, ci.Child)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
