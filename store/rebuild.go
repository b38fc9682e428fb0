// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"gvfs-metadata/format"
)

// item is one entry of the tree being written, in breadth-first order:
// an overlay node, or an old entry no journal entry reached (ov == nil).
// A million-entry tree has a million items, hence the compact form.
type item struct {
	ov    *ovNode
	off   uint32 // the old entry's offset, when ov is nil
	force uint32 // index in layout.forces of a copy's time (0: none)
}

// layout is the breadth-first order of the tree being written.
type layout struct {
	old      *format.Tree
	items    []item
	kidCount []uint32 // children of each item, which follow in items
	forces   []int64  // forces[0] is unused
	keys     []string // every key the new tree holds
	lo, hi   int64    // the oldest and newest times it holds (0: none)
}

func (l *layout) oldEntry(it item) format.Dirent { return l.old.DirentAt(it.off) }

func (l *layout) lastChanged(it item) int64 {
	if it.ov != nil {
		return it.ov.lastChanged()
	}
	if it.force != 0 {
		return l.forces[it.force]
	}
	return l.oldEntry(it).LastChanged()
}

// sameChildren returns the old entry whose children block an item's
// children block can be copied from: an untouched old entry, or an
// overlay node whose children were only looked at; not under a copy,
// whose times all change.
func (l *layout) sameChildren(it item) (format.Dirent, bool) {
	switch {
	case it.ov == nil && it.force == 0:
		return l.oldEntry(it), true
	case it.ov != nil && it.ov.hasOld && !it.ov.kidsDirty && it.ov.force == 0:
		return it.ov.old, true
	}
	return format.Dirent{}, false
}

// sameMetadata returns the old entry whose children's metadata run an
// item's can be copied from.
func (l *layout) sameMetadata(it item) (format.Dirent, bool) {
	switch {
	case it.ov == nil:
		return l.oldEntry(it), true
	case it.ov.hasOld && !it.ov.metaDirty:
		return it.ov.old, true
	}
	return format.Dirent{}, false
}

// outputHint guesses the size of the new tree so that its buffer seldom
// grows: the old file, each journal entry's bytes once (a value is stored
// once), and room for the nodes and blocks a small entry can add.
func outputHint(old *format.Tree, entries entryRuns, o *overlay) int {
	return len(old.Bytes()) + entries.size() + 192*o.entries + 1<<20
}

// rebuild writes the new tree from the old one and the journal entries,
// copying every block the entries did not change, in three passes over
// the tree breadth-first: its order (layOut), the children blocks
// (writeChildren), the metadata blocks (writeMetadata). It returns
// errSlowPath when the old tree is not laid out for that (the caller
// then rebuilds everything from decoded nodes).
func rebuild(old *format.Tree, entries entryRuns, tag uint32) ([]byte, error) {
	o, err := replay(old, entries)
	if err != nil {
		return nil, err
	}
	if err := checkShape(old); err != nil {
		return nil, err
	}
	l, err := layOut(old, o)
	if err != nil {
		return nil, err
	}
	w, rootOff := format.NewWriter(tag, format.TimeBase(l.lo, l.hi), l.keys, o.root.lastChanged(), outputHint(old, entries, o))
	dirents, err := l.writeChildren(w, rootOff)
	if err != nil {
		return nil, err
	}
	if err := l.writeMetadata(w, o.root, dirents); err != nil {
		return nil, err
	}
	return w.Bytes(), nil
}

// layOut is the first pass: the breadth-first order of the tree being
// written, with how many children each item has, and the times and keys
// the header and key table need.
func layOut(old *format.Tree, o *overlay) (*layout, error) {
	// Every entry takes at least 26 bytes of the old file, and a journal
	// entry adds a few; sizing for that spares the copies a growing slice
	// makes.
	estimate := len(old.Bytes())/26 + 4*o.entries + 16
	l := &layout{old: old, items: make([]item, 1, estimate), forces: []int64{0}}
	l.items[0] = item{ov: o.root}
	l.kidCount = make([]uint32, 1, estimate)
	forceIndex := map[int64]uint32{}
	usedOld := make([]bool, old.NumKeys())
	newKeys := map[string]bool{}
	for i := 0; i < len(l.items); i++ {
		it := l.items[i]
		l.noteTime(l.lastChanged(it))
		if it.ov != nil && it.ov.keysSet {
			for _, kv := range it.ov.keys {
				newKeys[kv.Key] = true
			}
		} else if d, ok := l.oldOf(it); ok {
			if err := markKeys(d, usedOld); err != nil {
				return nil, err
			}
		}
		force := it.force
		if it.ov != nil && it.ov.force != 0 {
			if force = forceIndex[it.ov.force]; force == 0 {
				force = uint32(len(l.forces))
				forceIndex[it.ov.force] = force
				l.forces = append(l.forces, it.ov.force)
			}
		}
		before := len(l.items)
		if err := l.appendKids(it, force); err != nil {
			return nil, err
		}
		l.kidCount[i] = uint32(len(l.items) - before)
		for range len(l.items) - before {
			l.kidCount = append(l.kidCount, 0)
		}
	}
	for id, used := range usedOld {
		if used {
			name, _ := old.KeyName(uint32(id))
			newKeys[string(name)] = true
		}
	}
	l.keys = make([]string, 0, len(newKeys))
	for k := range newKeys {
		l.keys = append(l.keys, k)
	}
	return l, nil
}

// noteTime widens the range of times the tree holds.
func (l *layout) noteTime(t int64) {
	if t != 0 {
		if l.lo == 0 || t < l.lo {
			l.lo = t
		}
		l.hi = max(l.hi, t)
	}
}

// markKeys marks the keys an old entry's metadata uses.
func markKeys(d format.Dirent, usedOld []bool) error {
	data, err := d.Data()
	if err != nil {
		return errSlowPath
	}
	for j := 0; j < data.Len(); j++ {
		id := data.Item(j).KeyID
		if int(id) >= len(usedOld) {
			return errSlowPath
		}
		usedOld[id] = true
	}
	return nil
}

// appendKids appends an item's children to the order; force is the index
// of the copy time old children under a copy take.
func (l *layout) appendKids(it item, force uint32) error {
	if it.ov != nil {
		return it.ov.eachKid(func(k *ovNode, old format.Dirent) error {
			if k != nil {
				l.items = append(l.items, item{ov: k})
			} else {
				l.items = append(l.items, item{off: old.Offset(), force: force})
			}
			return nil
		})
	}
	d, ok := l.oldOf(it)
	if !ok {
		return nil
	}
	dir, err := oldChildren(d)
	if err != nil {
		return err
	}
	for j := 0; j < dir.Len(); j++ {
		l.items = append(l.items, item{off: dir.Child(j).Offset(), force: force})
	}
	return nil
}

// writeChildren is the second pass: every children block, copied from the
// old tree where it did not change. It returns each item's entry offset.
func (l *layout) writeChildren(w *format.Writer, rootOff uint32) ([]uint32, error) {
	order := l.items
	dirents := make([]uint32, len(order))
	dirents[0] = rootOff
	next := 1
	for i, it := range order {
		n := int(l.kidCount[i])
		kids := order[next : next+n]
		copied := false
		if d, ok := l.sameChildren(it); ok {
			if dir, err := d.Children(); err == nil && dir.Len() == n {
				if offs, err := w.CopyChildren(dirents[i], l.old, dir); err == nil {
					copy(dirents[next:], offs)
					copied = true
				}
			}
		}
		if !copied {
			w.BeginChildren(dirents[i])
			for j, k := range kids {
				if k.ov != nil {
					dirents[next+j] = w.Child(k.ov.name, l.lastChanged(k))
					continue
				}
				off, err := w.ChildFrom(l.oldEntry(k), l.lastChanged(k))
				if err != nil {
					return nil, errSlowPath
				}
				dirents[next+j] = off
			}
			w.EndChildren()
		}
		next += n
	}
	return dirents, nil
}

// writeMetadata is the third pass: every metadata block, in runs copied
// from the old tree where they did not change.
func (l *layout) writeMetadata(w *format.Writer, root *ovNode, dirents []uint32) error {
	rootKeys := root.keys
	if !root.keysSet {
		var err error
		if rootKeys, err = oldKeys(root.old); err != nil {
			return err
		}
	}
	w.Metadata(dirents[0], rootKeys)
	w.EndMetadataRun()
	order := l.items
	next := 1
	for i, it := range order {
		n := int(l.kidCount[i])
		kids := order[next : next+n]
		copied := false
		if d, ok := l.sameMetadata(it); ok {
			if dir, err := d.Children(); err == nil && dir.Len() == n {
				copied = w.CopyMetadataRun(l.old, dir, dirents[next:next+n]) == nil
			}
		}
		if !copied {
			for j, k := range kids {
				if err := l.writeItemMetadata(w, k, dirents[next+j]); err != nil {
					return err
				}
			}
			w.EndMetadataRun()
		}
		next += n
	}
	return nil
}

// writeItemMetadata writes one item's metadata block for its entry at off.
func (l *layout) writeItemMetadata(w *format.Writer, k item, off uint32) error {
	if k.ov != nil && k.ov.keysSet {
		w.Metadata(off, k.ov.keys)
		return nil
	}
	d, ok := l.oldOf(k)
	if !ok {
		w.Metadata(off, nil)
		return nil
	}
	data, err := d.Data()
	if err != nil {
		return errSlowPath
	}
	if err := w.MetadataFrom(off, l.old, data); err != nil {
		return errSlowPath
	}
	return nil
}

// oldOf is the old entry an item reads from, if it has one.
func (l *layout) oldOf(it item) (format.Dirent, bool) {
	if it.ov == nil {
		return l.oldEntry(it), true
	}
	return it.ov.old, it.ov.hasOld
}

// checkShape makes sure the old tree is a tree: no children block is
// reached twice, so no loop can make the walk over it endless. (Copies in
// the journal may then share old subtrees on purpose.)
func checkShape(t *format.Tree) error {
	seen := make([]uint64, len(t.Bytes())/256+1) // one bit per 4-byte offset
	queue := []format.Dirent{t.Root()}
	for len(queue) > 0 {
		d := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if d.ChildrenOffset() == 0 {
			continue
		}
		// Children checks the block lies inside the file before its
		// offset indexes anything.
		dir, err := d.Children()
		if err != nil {
			return errSlowPath
		}
		bit := dir.Offset() / 4
		if seen[bit/64]&(1<<(bit%64)) != 0 {
			return errSlowPath
		}
		seen[bit/64] |= 1 << (bit % 64)
		for i := 0; i < dir.Len(); i++ {
			queue = append(queue, dir.Child(i))
		}
	}
	return nil
}
