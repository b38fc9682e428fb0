// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"bytes"
	"container/list"

	"gvfs-metadata/format"
)

// Other writers of the same tree. A tree file and its journal are shared
// with every other process that writes them: another store of this
// package (a second session's daemon, or a tool), which takes the tree's
// lock; the C daemon, which takes none; and on NFS, writers on other
// machines, each with a journal of its own. Everything the store does
// because of them enters the core (open, lookups, append, rotation)
// through one seam, coWriters, whose hooks the core calls at fixed
// points:
//
//	opened      a tree and journal were opened from disk (load)
//	catchUp     the journal was refreshed under the lock, before an append,
//	            a snapshot or a commit reads it
//	withCarried a write's entries, with what is to be carried before them
//	leaving     before an append: whether to leave a journal a writer
//	            without the lock writes to
//	appended, appendRefused
//	            after an append
//	acknowledgedChanges
//	            a write was answered
//	snapshot    a rotation takes its snapshot: what it merges besides the
//	            journal
//	committed, aborted
//	            a rotation's swap took place, or it failed before it
//	reloading, reloaded
//	            another writer's rotation replaced the tree
//	adoptRetired
//	            before a write or flush: what the C daemon appended to
//	            journals this store left
//	pending     whether anything is still to be carried (Flush, Dirty)
//	closing     the store is closing
//
// The files, by job:
//
//	cowriter.go          this seam
//	cowriter_share.go    the tree's lock shared with other stores, NFS
//	cowriter_remember.go this store's own changes, written again after a
//	                     writer without the lock dropped them
//	cowriter_apart.go    keeping out of the journals of such a writer
//	cowriter_adopt.go    carrying what it appends to journals this store left

// coWriters is what a store keeps because other writers share its tree.
// Guarded by Store.mu.
type coWriters struct {
	path     string
	logf     func(format string, args ...any)
	readOnly bool
	nfs      bool

	// carried holds entries the next write or rotation puts in again: of
	// a journal only this process read (on NFS, where each machine has
	// its own) that another writer's rotation left out of the tree, of
	// this store's last append that a writer without the lock wrote over,
	// and own changes another writer's rotation dropped.
	carried []byte
	// lockless: that writer takes no lock (see cowriter_apart.go); own:
	// the current journal is one this store made.
	lockless, own bool
	last          lastAppend
	refused       []byte // entries of an append that failed, until the journal is retired
	// byPath finds the remembered change of a path and key; order holds
	// them oldest first (*ownChange), the order they are written again in.
	byPath map[string]map[string]*list.Element
	order  list.List
	bytes  int
	// removed holds the paths this store removed or replaced (a copy's
	// destination) while remembering, with when, oldest first, so that
	// an older entry of the other writer's under them is not carried
	// after them (see cowriter_adopt.go).
	removed []removal
	// scanned is how many entries of the current journal this store has
	// accounted for: appended itself, or read as another writer's.
	scanned int
	// retired are journals this store rotated away from while another
	// writer shared them (see cowriter_adopt.go).
	retired []*retired
	// adopted holds the other writer's entries taken from retired
	// journals, for the next write or rotation to carry.
	adopted []byte

	CoWriterStats
}

// CoWriterStats says what a store did beside another writer of its tree
// since it opened it (see cowriter.go).
type CoWriterStats struct {
	Seen       bool // another writer was seen
	Restored   int  // own changes written again
	Superseded int  // own changes forgotten: the other writer's newer change replaced them
	Shown      int  // own changes forgotten: a tree of the other writer's holds them
	Dropped    int  // own changes forgotten for lack of room
	Adopted    int  // the other writer's entries carried from journals this store left
}

// othersShare is what a rotation took from coWriters at its snapshot.
type othersShare struct {
	adopted  []byte // the other writer's entries from retired journals
	restored int    // own changes another writer dropped, written again
}

// opened: the store opened a tree and its journal (nil: none) from disk.
// The journal is not one this store made; its entries are accounted for.
func (w *coWriters) opened(jf *journalFile) {
	w.own = false
	w.scanned = 0
	if jf != nil {
		w.scanned = jf.j.Len()
	}
}

// withCarried puts the carried entries (if any), then those adopted from
// retired journals, before a write's, and says whether it did: not while
// a rotation is under way, whose snapshot holds them (or, taken before
// they were carried, fails at the swap and leaves them), as appending
// them too would apply them twice.
func (w *coWriters) withCarried(buf []byte, count int, rotating bool) ([]byte, int, bool) {
	if !w.pending() || rotating {
		return buf, count, false
	}
	n := 0
	runs := entryRuns{w.carried, w.adopted}
	runs.each(func(*format.Entry) error { n++; return nil })
	out := make([]byte, 0, runs.size()+len(buf))
	out = append(append(append(out, w.carried...), w.adopted...), buf...)
	return out, n + count, true
}

// pending reports whether entries wait to be carried by the next write or
// rotation.
func (w *coWriters) pending() bool { return w.carried != nil || w.adopted != nil }

// appended: entries (with what withCarried put before them) went into jf
// at offset at.
func (w *coWriters) appended(jf *journalFile, at uint32, entries []byte, carrying bool) {
	if carrying {
		w.carried, w.adopted = nil, nil
	}
	w.scanned = jf.j.Len()
	w.last = lastAppend{jf, at, entries}
}

// appendRefused: the append of entries to jf failed. If the journal is
// retired, what of them is still there is not the other writer's to
// carry; if it is not, what of them is there is no sign of one.
func (w *coWriters) appendRefused(jf *journalFile, entries []byte) {
	w.scanned = jf.j.Len()
	w.refused = entries
	if jf.j.Broken() == nil {
		jf.noteTail()
	}
}

// acknowledgedChanges: the store answered changes (those without a time
// got now).
func (w *coWriters) acknowledgedChanges(changes []format.Change, now uint64) {
	if w.acknowledged(changes, now) {
		w.logf("%s: another writer shares this tree; only the newest %d bytes of this store's changes are kept to write again", w.path, maxRememberedBytes)
	}
}

// snapshot is a rotation's snapshot of tree and the entries of jf (a copy,
// journal): it returns every run the rotation merges, oldest first. After
// the journal come the entries to carry, then this store's changes that
// another writer dropped, then extra (a write that found no room, which
// may change the same keys again).
func (w *coWriters) snapshot(tree *format.Tree, jf *journalFile, journal, extra []byte) (entryRuns, othersShare) {
	// Entries of the last append another writer wrote over go in again
	// (see cowriter_apart.go).
	if lost := w.lostSinceAppend(jf); lost != nil {
		w.carried = append(w.carried, lost...)
	}
	var sh othersShare
	sh.adopted, w.adopted = w.adopted, nil
	own, n := w.missing(tree, entryRuns{journal, w.carried, sh.adopted}, false)
	sh.restored = n
	return entryRuns{journal, w.carried, sh.adopted, own, extra}, sh
}

// committed: a rotation that merged the entries merged of the journal
// old (nil: none), and carried count entries (carried) into its new
// journal, swapped. It reports whether old is to be kept mapped (and
// only its name removed), for a writer without the lock that may go on
// appending to it.
func (w *coWriters) committed(old *journalFile, merged, carried []byte, count int, sh othersShare) (keepOld bool) {
	keepOld = old != nil && w.Seen
	if keepOld {
		w.retire(old, merged, carried)
	}
	w.refused = nil
	// The snapshot held every carried entry: only a reload carries
	// more, and a reload since the snapshot fails the swap.
	w.carried = nil
	w.scanned = count
	w.own = true
	w.Restored += sh.restored
	return keepOld
}

// aborted: a rotation failed before its swap. Unless the tree was
// reloaded since its snapshot (the other writer's tree then holds them),
// what it adopted is still to be carried, before any adopted since.
func (w *coWriters) aborted(sh othersShare, reloaded bool) {
	if !reloaded {
		w.adopted = append(sh.adopted, w.adopted...)
	}
}

// reloading: another writer's rotation replaced the tree, and the store
// is about to drop jf (nil: none). It returns the IDs of jf's entries,
// to tell the new journal's own from those copied over, while this store
// remembers changes.
func (w *coWriters) reloading(jf *journalFile) map[entryID]bool {
	// The other writer's rotation merged what it appended to the journals
	// this store retired, if it was the one appending there.
	w.dropRetired()
	if jf == nil || w.readOnly {
		return nil
	}
	var old map[entryID]bool
	jf.j.Refresh()
	w.catchUp(jf.j)
	if w.remembering() {
		old = journalIDs(jf.j)
	}
	if w.nfs {
		// A journal no other machine reads: the rotation that replaced
		// the tree could not carry it.
		kept, _ := keepDecodable(bytes.Clone(jf.j.EntryBytes(0, jf.j.Len())))
		w.carried = append(w.carried, kept...)
	}
	return old
}

// reloaded: the store opened the tree and journal (nil: none) now in
// place; old is what reloading returned. rotated says the store rotated
// while opening them (the new tree came without a usable journal): the
// tree in place is then this store's own, and that rotation already
// carried whatever it lacked. Otherwise this store's own changes the new
// tree and journal lack are carried into the next write.
func (w *coWriters) reloaded(tree *treeFile, jf *journalFile, old map[entryID]bool, rotated bool) {
	if w.readOnly {
		return
	}
	if rotated || tree == nil {
		w.sawAnotherWriter()
		return
	}
	var j *format.Journal
	if jf != nil {
		j = jf.j
	}
	w.carried = append(w.carried, w.afterForeignRotation(tree.t, j, w.carried, old)...)
	if len(w.carried) == 0 {
		w.carried = nil
	}
}

// closing: the store is closing.
func (w *coWriters) closing() { w.dropRetired() }
