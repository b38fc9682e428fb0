// SPDX-License-Identifier: LGPL-2.0-or-later

// A tree decoded into format.Node values, for what needs all of it:
// full rebuilds, Merged, Salvage.

package store

import (
	"bytes"
	"slices"
	"sort"

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

// Merged returns the whole tree as readers see it now: the tree file with
// every valid journal entry applied. damage lists unreadable parts of the
// tree file left out.
func (s *Store) Merged() (root *format.Node, damage Damage, err error) {
	err = s.read(func(v view) { root, damage = v.merged() })
	return
}

func (v view) merged() (*format.Node, Damage) {
	root := &format.Node{Name: "/"}
	var damage Damage
	if v.tree != nil {
		root, damage = loadTree(v.tree)
	}
	for i := len(v.entries) - 1; i >= 0; i-- {
		e, err := format.DecodeEntry(v.entries[i], 0)
		if err != nil || !e.Op.Known() {
			continue
		}
		c := e.Change()
		replayOnNodes(root, &c)
	}
	return root, damage
}

// nodeTree is a decoded tree as a replayTree: what full rebuilds, Merged
// and Salvage replay journal entries on.
type nodeTree struct{ root *format.Node }

// replayOnNodes applies one journal entry to a decoded tree.
func replayOnNodes(root *format.Node, c *format.Change) {
	replayChange[*format.Node, *format.Node](nodeTree{root}, c) // decoded nodes never fail
}

func (t nodeTree) node(path []string, create bool) (*format.Node, bool, error) {
	n := t.root
	for _, name := range path {
		i, ok := findChild(n, name)
		if !ok {
			if !create {
				return nil, false, nil
			}
			n.Children = slices.Insert(n.Children, i, &format.Node{Name: name})
		}
		n = n.Children[i]
	}
	return n, true, nil
}

func (nodeTree) setKey(n *format.Node, kv format.KeyValue) error {
	n.Keys = setKeyIn(n.Keys, kv)
	return nil
}

func (nodeTree) unsetKey(n *format.Node, key string) error {
	n.Keys = unsetKeyIn(n.Keys, key)
	return nil
}

func (nodeTree) setTime(n *format.Node, t int64) { n.LastChanged = t }

func (nodeTree) clear(n *format.Node) { n.Children, n.Keys = nil, nil }

func (nodeTree) removeChild(parent *format.Node, name string) (bool, error) {
	i, ok := findChild(parent, name)
	if ok {
		parent.Children = slices.Delete(parent.Children, i, i+1)
	}
	return ok, nil
}

func (nodeTree) clone(n *format.Node, copyTime int64) *format.Node {
	return cloneNode(n, copyTime)
}

func (nodeTree) graft(n, c *format.Node) {
	n.Keys, n.Children, n.LastChanged = c.Keys, c.Children, c.LastChanged
}

func findChild(n *format.Node, name string) (int, bool) {
	i := sort.Search(len(n.Children), func(i int) bool { return n.Children[i].Name >= name })
	return i, i < len(n.Children) && n.Children[i].Name == name
}

func cloneNode(n *format.Node, copyTime int64) *format.Node {
	c := &format.Node{Name: n.Name, LastChanged: n.LastChanged}
	if copyTime != 0 {
		c.LastChanged = copyTime
	}
	c.Keys = make([]format.KeyValue, len(n.Keys))
	copy(c.Keys, n.Keys)
	for i := range c.Keys {
		if c.Keys[i].IsList {
			c.Keys[i].List = slices.Clone(c.Keys[i].List)
		}
	}
	if len(n.Children) > 0 {
		c.Children = make([]*format.Node, len(n.Children))
		for i, child := range n.Children {
			c.Children[i] = cloneNode(child, copyTime)
		}
	}
	return c
}

// setKeyIn and unsetKeyIn change a sorted key list.
func setKeyIn(keys []format.KeyValue, kv format.KeyValue) []format.KeyValue {
	i := sort.Search(len(keys), func(i int) bool { return keys[i].Key >= kv.Key })
	if i < len(keys) && keys[i].Key == kv.Key {
		keys[i] = kv
		return keys
	}
	keys = append(keys, format.KeyValue{})
	copy(keys[i+1:], keys[i:])
	keys[i] = kv
	return keys
}

func unsetKeyIn(keys []format.KeyValue, key string) []format.KeyValue {
	i := sort.Search(len(keys), func(i int) bool { return keys[i].Key >= key })
	if i < len(keys) && keys[i].Key == key {
		return append(keys[:i], keys[i+1:]...)
	}
	return keys
}
