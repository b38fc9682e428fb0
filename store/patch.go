// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"math"

	"gvfs-metadata/format"
)

// Patching rotations.
//
// A rotation that writes the whole tree costs in proportion to the tree:
// a 1M-entry tree (52 MB) took 0.4 s to lay out and 0.1-0.25 s to write
// and fsync, with 2,000 journal entries spread over as many directories,
// on an idle core. While it runs, a burst at bus speed writes that many
// entries again, which must all fit in the journal (a write is answered
// only once it is there), and readers walk them all. So a writers'
// rotation patches instead (format.Patch): the kernel copies the old file
// (copy_file_range; 13 ms for 60 MB here), the entries that changed are
// rewritten in place and the blocks that grew are appended. Its work is
// in proportion to the change, and the file grows by what it appends,
// which a full rewrite (every Flush, or once the file has doubled since
// the last one) reclaims.

// patchTree expresses journal entries as a patch of the old tree. It
// fails (format.ErrNotPatchable, errSlowPath) where a full rewrite is
// needed: a new key, a damaged part on the way, a time the old base
// cannot hold, an entry to rewrite that lies over the key table.
func patchTree(old *format.Tree, entries entryRuns, tag uint32) (*format.Patch, error) {
	o, err := replay(old, entries)
	if err != nil {
		return nil, err
	}
	pt := patcher{p: format.NewPatch(old, tag)}
	root, err := pt.entry(o.root)
	if err != nil {
		return nil, err
	}
	pt.p.SetEntry(old.Root().Offset(), root)
	if !pt.p.Safe() || pt.p.Size() > math.MaxUint32 {
		return nil, format.ErrNotPatchable
	}
	return pt.p, nil
}

type patcher struct {
	p *format.Patch
}

// entry returns the fields of an overlay node's entry in the new tree,
// writing what changed below it.
func (pt *patcher) entry(n *ovNode) (format.DirentFields, error) {
	if n.hasOld && !n.cloned && !n.timeSet && n.force == 0 && !n.keysSet && !n.changedKids() {
		return n.old.Fields(), nil // only on the way to a change below
	}
	var f, old format.DirentFields
	if n.hasOld {
		old = n.old.Fields()
	}

	if n.hasOld && sameName(n.old, n.name) {
		f.Name = old.Name
	} else {
		f.Name = pt.p.String(n.name)
	}

	if n.hasOld && !n.timeSet && n.force == 0 {
		f.Time = old.Time
	} else {
		t, ok := pt.p.Time(n.lastChanged())
		if !ok {
			return f, format.ErrNotPatchable
		}
		f.Time = t
	}

	switch {
	case n.keysSet:
		off, err := pt.p.Data(n.keys)
		if err != nil {
			return f, err
		}
		f.Metadata = off
	case n.hasOld:
		f.Metadata = old.Metadata
	default:
		off, _ := pt.p.Data(nil)
		f.Metadata = off
	}

	var err error
	switch {
	case n.changedKids() || n.force != 0 || n.cloned:
		f.Children, err = pt.children(n, old.Children)
	default:
		f.Children = old.Children
	}
	return f, err
}

// children writes a node's children: in place in its old children block
// when they are the same entries in the same places (rewriting only those
// that changed), else as a new block.
func (pt *patcher) children(n *ovNode, oldBlock uint32) (uint32, error) {
	// Under a copy every old entry is written anew (see copied).
	copiedFrom := n.force != 0 || n.cloned
	var forced uint32
	if n.force != 0 {
		t, ok := pt.p.Time(n.force)
		if !ok {
			return 0, format.ErrNotPatchable
		}
		forced = t
	}
	// Sized at once: a big directory (the root of a 1M-entry tree has
	// 10,000 children) regrown append by append cost 14 MB a rotation.
	kids := make([]format.DirentFields, 0, n.kidsBound())
	type change struct {
		k *ovNode
		f format.DirentFields
	}
	var changed []change
	inPlace := !copiedFrom && n.hasOld && !n.dropOld && oldBlock != 0
	err := n.eachKid(func(k *ovNode, old format.Dirent) error {
		if k == nil {
			f := old.Fields()
			if copiedFrom {
				if n.force != 0 {
					f.Time = forced
				}
				c, err := pt.copied(old, n.force, map[uint32]bool{})
				if err != nil {
					return err
				}
				f.Children = c
			}
			kids = append(kids, f)
			return nil
		}
		inPlace = inPlace && k.hasOld && !k.cloned
		f, err := pt.entry(k)
		kids = append(kids, f)
		changed = append(changed, change{k, f})
		return err
	})
	if err != nil {
		return 0, err
	}
	if inPlace {
		if dir, err := n.old.Children(); err != nil || dir.Len() != len(kids) {
			inPlace = false
		}
	}
	if !inPlace {
		return pt.p.Children(kids), nil
	}
	for _, c := range changed {
		if c.f != c.k.old.Fields() {
			pt.p.SetEntry(c.k.old.Offset(), c.f)
		}
	}
	return oldBlock, nil
}

// copied writes new children blocks for an old subtree that a copy put
// somewhere else (its children block may not be shared: each is reached
// once), every entry taking the copy's time force when it has one; the
// entries' names and metadata blocks are shared with the source.
func (pt *patcher) copied(d format.Dirent, force int64, seen map[uint32]bool) (uint32, error) {
	dir, err := d.Children()
	if err != nil {
		return 0, errSlowPath
	}
	if dir.Offset() != 0 {
		if seen[dir.Offset()] {
			return 0, errSlowPath // a loop in a damaged tree
		}
		seen[dir.Offset()] = true
	}
	t, ok := pt.p.Time(force)
	if !ok {
		return 0, format.ErrNotPatchable
	}
	kids := make([]format.DirentFields, dir.Len())
	for i := range kids {
		c := dir.Child(i)
		f := c.Fields()
		if force != 0 {
			f.Time = t
		}
		if f.Children, err = pt.copied(c, force, seen); err != nil {
			return 0, err
		}
		kids[i] = f
	}
	return pt.p.Children(kids), nil
}

// sameName reports whether an old entry is named name.
func sameName(d format.Dirent, name string) bool {
	n, err := d.Name()
	return err == nil && string(n) == name
}
