// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"errors"

	"gvfs-metadata/format"
)

// A patched tree keeps every byte of the old file; what the journal
// removed or replaced is only no longer referenced. Metadata trees are a
// record of what a user opened and where, read with `strings` by those
// who look, so a name or value that was removed must not stay in the
// file: a rotation whose journal removes or replaces anything the old
// tree holds lays the tree out whole, which writes only what is live.
// Rotations that only add (a burst of Sets to new files, the common
// case) still patch.

var errDrops = errors.New("drops data")

// dropsTreeData reports whether journal entries remove or replace
// anything the old tree holds: a path removed, a subtree replaced by a
// copy (a Move's two halves), or a key's value unset or set anew. A part
// of the old tree that does not read counts as dropped.
func dropsTreeData(old *format.Tree, entries entryRuns) bool {
	err := entries.each(func(e *format.Entry) error {
		d, found, err := old.Lookup(e.Path)
		switch {
		case err != nil:
			return errDrops
		case !found:
			return nil
		case e.Op == format.OpRemove || e.Op == format.OpCopy:
			return errDrops
		}
		id, known := old.KeyID(e.Key)
		if !known {
			return nil
		}
		data, err := d.Data()
		if err != nil {
			return errDrops
		}
		if _, has := data.Find(id); has {
			return errDrops
		}
		return nil
	})
	return err != nil
}
