// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"bytes"
	"sort"
	"strings"

	"gvfs-metadata/format"
)

// Damage lists the parts of a tree file that could not be read. Count is
// exact; Errors keeps the first few, with their offsets.
type Damage struct {
	Count  int
	Errors []error
}

const keptDamageErrors = 20

func (d *Damage) add(err error) {
	d.Count++
	if len(d.Errors) < keptDamageErrors {
		d.Errors = append(d.Errors, err)
	}
}

// loadTree copies a tree file into nodes. Unreadable parts (bad offsets,
// unterminated strings, a children block reached twice) are skipped and
// recorded, the way the C writer skips them when it rotates, so one bad
// block never stops a tree from being rewritten.
func loadTree(t *format.Tree) (root *format.Node, damage Damage) {
	root = &format.Node{Name: "/"}
	seen := map[uint32]bool{}
	var load func(d format.Dirent, n *format.Node)
	load = func(d format.Dirent, n *format.Node) {
		defer restoreOrder(n)
		n.LastChanged = d.LastChanged()
		if data, err := d.Data(); err != nil {
			damage.add(err)
		} else {
			for i := 0; i < data.Len(); i++ {
				kv, err := readItem(data.Item(i))
				if err != nil {
					damage.add(err)
					continue
				}
				n.Keys = append(n.Keys, kv)
			}
		}
		dir, err := d.Children()
		if err != nil {
			damage.add(err)
			return
		}
		if dir.Len() == 0 {
			return
		}
		if seen[dir.Offset()] {
			damage.add(&format.FormatError{Offset: int64(d.Offset()) + 4, Msg: "children block reached twice"})
			return
		}
		seen[dir.Offset()] = true
		n.Children = make([]*format.Node, 0, dir.Len())
		for i := 0; i < dir.Len(); i++ {
			c := dir.Child(i)
			name, err := c.Name()
			if err == nil && (len(name) == 0 || bytes.IndexByte(name, '/') >= 0) {
				err = &format.FormatError{Offset: int64(c.Offset()), Msg: "entry name is empty or contains a slash"}
			}
			if err != nil {
				damage.add(err)
				continue
			}
			child := &format.Node{Name: string(name)}
			load(c, child)
			n.Children = append(n.Children, child)
		}
	}
	load(t.Root(), root)
	return root, damage
}

// restoreOrder re-sorts a node loaded from a damaged file whose keys or
// children are out of the order the format promises (and the builder and
// every reader's binary search rely on), dropping repeats.
func restoreOrder(n *format.Node) {
	sorted := true
	for i := 1; i < len(n.Keys) && sorted; i++ {
		sorted = n.Keys[i-1].Key < n.Keys[i].Key
	}
	for i := 1; i < len(n.Children) && sorted; i++ {
		sorted = n.Children[i-1].Name < n.Children[i].Name
	}
	if sorted {
		return
	}
	sort.SliceStable(n.Keys, func(i, j int) bool { return n.Keys[i].Key < n.Keys[j].Key })
	sort.SliceStable(n.Children, func(i, j int) bool { return n.Children[i].Name < n.Children[j].Name })
	keys := n.Keys[:0]
	for i, kv := range n.Keys {
		if i == 0 || kv.Key != n.Keys[i-1].Key {
			keys = append(keys, kv)
		}
	}
	n.Keys = keys
	kids := n.Children[:0]
	for i, c := range n.Children {
		if i == 0 || c.Name != n.Children[i-1].Name {
			kids = append(kids, c)
		}
	}
	n.Children = kids
}

func readItem(it format.Item) (format.KeyValue, error) {
	key, err := it.Key()
	if err != nil {
		return format.KeyValue{}, err
	}
	kv := format.KeyValue{Key: string(key), IsList: it.IsList}
	if it.IsList {
		vals, err := it.Values()
		if err != nil {
			return format.KeyValue{}, err
		}
		kv.List = make([]string, len(vals))
		for i, v := range vals {
			kv.List[i] = string(v)
		}
	} else {
		v, err := it.Value()
		if err != nil {
			return format.KeyValue{}, err
		}
		kv.Value = string(v)
	}
	return kv, nil
}

// apply replays one journal entry on an in-memory tree with the writer's
// rules, adjusted wherever the C writer and the C reader disagree so that
// a rotation never changes what readers saw: a copy takes its source as it
// was before the destination is cleared (so copying a directory onto its
// own ancestor keeps the data readers saw), and removing "/" also clears
// the root's own keys (readers already saw them gone).
func apply(root *format.Node, e *format.Change) {
	mtime := int64(e.Mtime)
	switch e.Op {
	case format.OpSet:
		n := lookupNode(root, e.Path, true)
		setKey(n, format.KeyValue{Key: e.Key, Value: e.Value})
		n.LastChanged = mtime
	case format.OpSetList:
		n := lookupNode(root, e.Path, true)
		list := make([]string, len(e.List))
		copy(list, e.List)
		setKey(n, format.KeyValue{Key: e.Key, List: list, IsList: true})
		n.LastChanged = mtime
	case format.OpUnset:
		if n := lookupNode(root, e.Path, false); n != nil {
			unsetKey(n, e.Key)
			n.LastChanged = mtime
		}
	case format.OpCopy:
		var clone *format.Node
		if src := lookupNode(root, e.Source, false); src != nil {
			clone = cloneNode(src, mtime)
		}
		removePath(root, e.Path, mtime)
		if clone != nil {
			dst := lookupNode(root, e.Path, true)
			dst.Keys, dst.Children, dst.LastChanged = clone.Keys, clone.Children, clone.LastChanged
		}
	case format.OpRemove:
		removePath(root, e.Path, mtime)
	}
}

// components splits a path the way readers do: empty components (repeated
// or trailing slashes) do not count.
func components(path string) []string {
	parts := strings.Split(path, "/")
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func findChild(n *format.Node, name string) (int, bool) {
	i := sort.Search(len(n.Children), func(i int) bool { return n.Children[i].Name >= name })
	return i, i < len(n.Children) && n.Children[i].Name == name
}

func lookupNode(root *format.Node, path string, create bool) *format.Node {
	n := root
	for _, name := range components(path) {
		i, ok := findChild(n, name)
		if !ok {
			if !create {
				return nil
			}
			c := &format.Node{Name: name}
			n.Children = append(n.Children, nil)
			copy(n.Children[i+1:], n.Children[i:])
			n.Children[i] = c
		}
		n = n.Children[i]
	}
	return n
}

func removePath(root *format.Node, path string, mtime int64) {
	parts := components(path)
	if len(parts) == 0 {
		root.Children, root.Keys = nil, nil
		if mtime != 0 {
			root.LastChanged = mtime
		}
		return
	}
	parent := lookupNode(root, "/"+strings.Join(parts[:len(parts)-1], "/"), false)
	if parent == nil {
		return
	}
	i, ok := findChild(parent, parts[len(parts)-1])
	if !ok {
		return
	}
	parent.Children = append(parent.Children[:i], parent.Children[i+1:]...)
	if mtime != 0 {
		parent.LastChanged = mtime
	}
}

func cloneNode(n *format.Node, mtime int64) *format.Node {
	c := &format.Node{Name: n.Name, LastChanged: n.LastChanged}
	if mtime != 0 {
		c.LastChanged = mtime
	}
	c.Keys = make([]format.KeyValue, len(n.Keys))
	copy(c.Keys, n.Keys)
	for i := range c.Keys {
		if c.Keys[i].IsList {
			c.Keys[i].List = append([]string(nil), c.Keys[i].List...)
		}
	}
	if len(n.Children) > 0 {
		c.Children = make([]*format.Node, len(n.Children))
		for i, child := range n.Children {
			c.Children[i] = cloneNode(child, mtime)
		}
	}
	return c
}

func setKey(n *format.Node, kv format.KeyValue) {
	i := sort.Search(len(n.Keys), func(i int) bool { return n.Keys[i].Key >= kv.Key })
	if i < len(n.Keys) && n.Keys[i].Key == kv.Key {
		n.Keys[i] = kv
		return
	}
	n.Keys = append(n.Keys, format.KeyValue{})
	copy(n.Keys[i+1:], n.Keys[i:])
	n.Keys[i] = kv
}

func unsetKey(n *format.Node, key string) {
	i := sort.Search(len(n.Keys), func(i int) bool { return n.Keys[i].Key >= key })
	if i < len(n.Keys) && n.Keys[i].Key == key {
		n.Keys = append(n.Keys[:i], n.Keys[i+1:]...)
	}
}
