// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"errors"
	"sort"

	"gvfs-metadata/format"
)

// errSlowPath sends a rotation back to the full rebuild when the old tree
// is not laid out as the fast one assumes (damage, or a foreign writer).
var errSlowPath = errors.New("old tree needs the full rebuild")

// ovNode is one path of the tree a rotation writes: an entry of the old
// tree as the journal left it. Only the paths journal entries touch (and
// the directories on the way to them) get an ovNode; everything else,
// their untouched siblings included, is read from the old tree while
// writing, and copied block by block when nothing in it changed.
type ovNode struct {
	name   string
	old    format.Dirent
	hasOld bool
	// force is the time a copy gave this node and every old entry below
	// it (0: none).
	force int64
	// cloned: a copy made this node from another; old is the source's
	// entry, elsewhere in the old tree.
	cloned bool

	time    int64
	timeSet bool
	keys    []format.KeyValue
	keysSet bool
	// kids are the children journal entries reached, sorted by name: new
	// ones, old ones that changed (or lie on the way to a change), and
	// removed ones (deleted), which hide the old child of that name. The
	// other children are the old entry's, unless dropOld.
	kids    []*ovNode
	dropOld bool
	deleted bool
	// checked: the old children block was found in the order readers
	// rely on.
	checked bool

	// kidsDirty: the children block (names, times) differs from the old
	// one. metaDirty: the children's metadata differs from the old run.
	kidsDirty bool
	metaDirty bool
}

func (n *ovNode) lastChanged() int64 {
	switch {
	case n.timeSet:
		return n.time
	case n.force != 0:
		return n.force
	case n.hasOld:
		return n.old.LastChanged()
	}
	return 0
}

func (n *ovNode) setTime(t int64) {
	n.time, n.timeSet = t, true
}

// oldKeys decodes an old entry's keys, in order.
func oldKeys(d format.Dirent) ([]format.KeyValue, error) {
	data, err := d.Data()
	if err != nil {
		return nil, errSlowPath
	}
	keys := make([]format.KeyValue, 0, data.Len())
	for i := 0; i < data.Len(); i++ {
		kv, err := readItem(data.Item(i))
		if err != nil || (i > 0 && keys[i-1].Key >= kv.Key) {
			return nil, errSlowPath
		}
		keys = append(keys, kv)
	}
	return keys, nil
}

func (n *ovNode) loadKeys() error {
	if n.keysSet {
		return nil
	}
	n.keysSet = true
	if !n.hasOld {
		return nil
	}
	var err error
	n.keys, err = oldKeys(n.old)
	return err
}

// oldChildren reads an old directory, checking the order readers rely on.
func oldChildren(d format.Dirent) (format.Dir, error) {
	dir, err := d.Children()
	if err != nil {
		return dir, errSlowPath
	}
	var prev []byte
	for i := 0; i < dir.Len(); i++ {
		name, err := dir.Child(i).Name()
		if err != nil || len(name) == 0 || (i > 0 && string(prev) >= string(name)) {
			return dir, errSlowPath
		}
		prev = name
	}
	return dir, nil
}

// oldDir returns the old children this node still has: none when it is
// new or they were dropped.
func (n *ovNode) oldDir() (format.Dir, bool, error) {
	if !n.hasOld || n.dropOld {
		return format.Dir{}, false, nil
	}
	if !n.checked {
		if _, err := oldChildren(n.old); err != nil {
			return format.Dir{}, false, err
		}
		n.checked = true
	}
	dir, err := n.old.Children()
	if err != nil {
		return dir, false, errSlowPath
	}
	return dir, true, nil
}

func (n *ovNode) find(name string) (int, bool) {
	i := sort.Search(len(n.kids), func(i int) bool { return n.kids[i].name >= name })
	return i, i < len(n.kids) && n.kids[i].name == name
}

// child returns the child called name: from kids, else the old one (which
// joins kids), else a new one when create is set (nil otherwise).
func (n *ovNode) child(name string, create bool) (*ovNode, error) {
	i, ok := n.find(name)
	if ok {
		k := n.kids[i]
		if !k.deleted {
			return k, nil
		}
		if !create {
			return nil, nil
		}
		*k = ovNode{name: name, keysSet: true}
		n.kidsDirty, n.metaDirty = true, true
		return k, nil
	}
	dir, has, err := n.oldDir()
	if err != nil {
		return nil, err
	}
	var k *ovNode
	if old, found, _ := dir.Lookup([]byte(name)); has && found {
		k = &ovNode{name: name, old: old, hasOld: true, force: n.force, cloned: n.cloned}
	} else if create {
		k = &ovNode{name: name, keysSet: true}
		n.kidsDirty, n.metaDirty = true, true
	} else {
		return nil, nil
	}
	n.kids = append(n.kids, nil)
	copy(n.kids[i+1:], n.kids[i:])
	n.kids[i] = k
	return k, nil
}

// changedKids reports whether the node's children are not simply its old
// children block: some were added, removed or touched below, or they
// all went.
func (n *ovNode) changedKids() bool { return len(n.kids) > 0 || n.dropOld || !n.hasOld }

// kidsBound is at least how many children eachKid visits.
func (n *ovNode) kidsBound() int {
	dir, has, err := n.oldDir()
	if !has || err != nil {
		return len(n.kids)
	}
	return dir.Len() + len(n.kids)
}

// eachKid calls fn for every child in name order: a child in kids as its
// node, an untouched old child as its old entry (and a nil node).
func (n *ovNode) eachKid(fn func(k *ovNode, old format.Dirent) error) error {
	dir, has, err := n.oldDir()
	if err != nil {
		return err
	}
	i, j := 0, 0
	for (has && i < dir.Len()) || j < len(n.kids) {
		if has && i < dir.Len() {
			old := dir.Child(i)
			name, _ := old.Name() // checked by oldDir
			if j == len(n.kids) || string(name) < n.kids[j].name {
				if err := fn(nil, old); err != nil {
					return err
				}
				i++
				continue
			}
			if string(name) == n.kids[j].name {
				i++ // hidden by the child in kids
			}
		}
		if k := n.kids[j]; !k.deleted {
			if err := fn(k, format.Dirent{}); err != nil {
				return err
			}
		}
		j++
	}
	return nil
}

// overlay replays journal entries on an old tree without loading it.
type overlay struct {
	root    *ovNode
	entries int // how many entries were replayed
}

func newOverlay(t *format.Tree) *overlay {
	return &overlay{root: &ovNode{name: "/", old: t.Root(), hasOld: true}}
}

// replay applies journal entries to an overlay of the old tree. The
// overlay's strings share entries' bytes (a value as large as the journal
// is not copied again), so entries must never change afterwards: a
// rotation's snapshot never does.
func replay(old *format.Tree, entries entryRuns) (*overlay, error) {
	o := newOverlay(old)
	err := entries.each(func(e *format.Entry) error {
		if !e.Op.Known() {
			return nil
		}
		c := e.View()
		o.entries++
		return replayChange[chain, *ovNode](o, &c)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// chain is the overlay's name for a node: the nodes from the root to it,
// since a change to a node dirties its parent's blocks.
type chain []*ovNode

func (c chain) last() *ovNode { return c[len(c)-1] }

// touched marks what a change to the node (its time, its keys) dirties:
// its parent's blocks.
func (c chain) touched(keys bool) {
	if len(c) < 2 {
		return
	}
	p := c[len(c)-2]
	p.kidsDirty = true
	if keys {
		p.metaDirty = true
	}
}

// overlay is a replayTree (see replay.go).
func (o *overlay) node(path []string, create bool) (chain, bool, error) {
	c := chain{o.root}
	cur := o.root
	for _, name := range path {
		next, err := cur.child(name, create)
		if err != nil || next == nil {
			return nil, false, err
		}
		cur = next
		c = append(c, cur)
	}
	return c, true, nil
}

func (o *overlay) setKey(c chain, kv format.KeyValue) error {
	n := c.last()
	if err := n.loadKeys(); err != nil {
		return err
	}
	n.keys = setKeyIn(n.keys, kv)
	c.touched(true)
	return nil
}

func (o *overlay) unsetKey(c chain, key string) error {
	n := c.last()
	if err := n.loadKeys(); err != nil {
		return err
	}
	n.keys = unsetKeyIn(n.keys, key)
	c.touched(true)
	return nil
}

func (o *overlay) setTime(c chain, t int64) {
	c.last().setTime(t)
	c.touched(false)
}

func (o *overlay) clear(c chain) {
	n := c.last()
	n.kids, n.dropOld, n.keys, n.keysSet = nil, true, nil, true
	n.kidsDirty, n.metaDirty = true, true
	c.touched(true)
}

func (o *overlay) removeChild(c chain, name string) (bool, error) {
	p := c.last()
	k, err := p.child(name, false)
	if err != nil || k == nil {
		return false, err
	}
	*k = ovNode{name: k.name, deleted: true}
	p.kidsDirty, p.metaDirty = true, true
	return true, nil
}

func (o *overlay) clone(c chain, copyTime int64) *ovNode { return cloneOv(c.last(), copyTime) }

func (o *overlay) graft(c chain, clone *ovNode) {
	d := c.last()
	name := d.name
	*d = *clone
	d.name = name
	c.touched(true)
}

// cloneOv copies a node and what was loaded below it; the parts still in
// the old tree are shared, to be read (and, for their metadata, copied)
// from there. Like the C builder, every copied entry takes the copy's
// time.
func cloneOv(n *ovNode, mtime int64) *ovNode {
	c := *n
	c.cloned = true
	if mtime != 0 {
		c.force = mtime
		c.setTime(mtime)
		c.kidsDirty = true
	}
	if n.keysSet {
		c.keys = append([]format.KeyValue(nil), n.keys...)
	}
	if len(n.kids) > 0 {
		c.kids = make([]*ovNode, len(n.kids))
		for i, k := range n.kids {
			c.kids[i] = cloneOv(k, mtime)
		}
	}
	return &c
}
