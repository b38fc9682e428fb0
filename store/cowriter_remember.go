// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"container/list"
	"slices"

	"gvfs-metadata/format"
)

// A writer that shares a tree without taking its lock can drop changes
// this store acknowledged. The C daemon (gvfs 1.50.3) is one: it opens a
// tree once and never reopens it before writing; it appends at its own
// cursor in the journal, over entries others appended after that cursor,
// and publishes its own entry count; and when its journal is full, when
// its 60 s writeout timer fires and when it loses its bus name (not on
// SIGTERM, which ends it without writing out) it builds the new tree from
// the tree it opened plus its own entries, renames that in place and
// opens it. Every change another writer made since the C daemon last
// opened the tree is missing from that new tree: two C daemons lose each
// other's writes the same way.
//
// A store cannot stop that writer, but while it runs it can put its own
// changes back. Once it has seen another writer on the tree (a rotation it
// did not make, entries it did not append, an entry count rewound under
// it, a journal torn under it), it remembers each key change it
// acknowledges: path, key, value or unset, and time. After another
// writer's rotation, those the new tree and journal do not show are
// carried into the next write (or flush), as a reload carries a journal
// on NFS; and every rotation of its own writes again those the journal it
// merges lost, written over by that writer. (From then on it also keeps
// out of that writer's journals, see cowriter_apart.go, and carries what that
// writer appends to the journals it left, see cowriter_adopt.go.)
//
// Only this store's own changes are ever written again, never a value it
// merely saw: writing back what a previous view showed would write the
// other writer's older values over its newer ones. A change is written
// again only while nothing newer replaced it: another writer's entry for
// the same key seen after it in a journal, a journal entry deciding the
// key with a later time, or, in a tree another writer made, a later
// change time of the path. Two writers changing one key within the same
// second are not ordered by that: this store's value then wins.
//
// A change is forgotten once a tree another writer made shows it: that
// writer then builds its next trees from one that holds it. (A tree this
// store made proves nothing: the C daemon keeps building from the tree it
// opened.) Removes and moves are not written again: copying or removing
// again from a view that changed since could undo the other writer's
// newer changes under those paths. They make the store forget its
// remembered changes under the paths they remove or replace, so nothing
// removed comes back either.
//
// Changes acknowledged before the other writer was first seen are not
// remembered: nothing is while no other writer has been seen, so a
// desktop with one daemon pays nothing. At most maxRememberedBytes (as
// journal entries) are kept, the oldest forgotten first.

// maxRememberedBytes bounds what a store remembers of its own changes, in
// bytes of journal entries: four of the largest journals.
const maxRememberedBytes = 4 * MaxJournalSize

// removal is a path this store removed or replaced, and when.
type removal struct {
	path  string
	mtime uint64
}

// maxRemovals bounds the removals remembered.
const maxRemovals = 1024

// ownChange is one remembered key change, with its journal entry size.
type ownChange struct {
	c    format.Change
	size int
}

// sawAnotherWriter starts remembering.
func (w *coWriters) sawAnotherWriter() { w.Seen = true }

// remembering reports whether any own change is remembered.
func (w *coWriters) remembering() bool { return w.order.Len() > 0 }

// sawLocklessWriter: the other writer takes no lock (see cowriter_apart.go).
func (w *coWriters) sawLocklessWriter() {
	w.Seen = true
	w.lockless = true
}

// acknowledged records changes the store just acknowledged, in order;
// those without a time got now. It reports whether it forgot the oldest
// for lack of room for the first time.
func (w *coWriters) acknowledged(changes []format.Change, now uint64) (firstDrop bool) {
	if !w.Seen {
		return false
	}
	for i := range changes {
		c := changes[i]
		switch c.Op {
		case format.OpSet, format.OpSetList, format.OpUnset:
			if c.Mtime == 0 {
				c.Mtime = now
			}
			w.put(c)
		case format.OpRemove, format.OpCopy:
			w.eachCovered(&format.Entry{Op: c.Op, Path: []byte(c.Path)}, w.forget)
			if c.Mtime == 0 {
				c.Mtime = now
			}
			w.removed = append(w.removed, removal{c.Path, c.Mtime})
			if len(w.removed) > maxRemovals {
				w.removed = w.removed[1:]
			}
		}
	}
	for w.bytes > maxRememberedBytes {
		firstDrop = firstDrop || w.Dropped == 0
		w.forget(w.order.Front())
		w.Dropped++
	}
	return firstDrop
}

// put remembers c, replacing what was remembered for its path and key.
func (w *coWriters) put(c format.Change) {
	if w.byPath == nil {
		w.byPath = map[string]map[string]*list.Element{}
	}
	keys := w.byPath[c.Path]
	if keys == nil {
		keys = map[string]*list.Element{}
		w.byPath[c.Path] = keys
	}
	if el := keys[c.Key]; el != nil {
		w.forget(el)
		w.byPath[c.Path] = keys // forget drops a path left without keys
	}
	oc := &ownChange{c: c, size: c.EncodedSize()}
	keys[c.Key] = w.order.PushBack(oc)
	w.bytes += oc.size
}

// forget drops one remembered change.
func (w *coWriters) forget(el *list.Element) {
	oc := w.order.Remove(el).(*ownChange)
	w.bytes -= oc.size
	keys := w.byPath[oc.c.Path]
	delete(keys, oc.c.Key)
	if len(keys) == 0 {
		delete(w.byPath, oc.c.Path)
	}
}

// eachCovered calls fn with each remembered change that e decides (see
// covers): of a key entry, the change of its path and key; of a remove
// or copy, every change at or below its path. fn may forget the change.
func (w *coWriters) eachCovered(e *format.Entry, fn func(el *list.Element)) {
	if isKeyOp(e.Op) {
		// covers holds for one path and key at most: looked up.
		if el := w.byPath[string(e.Path)][string(e.Key)]; el != nil {
			fn(el)
		}
		return
	}
	for p, keys := range w.byPath {
		path := []byte(p)
		for k, el := range keys {
			if covers(e, path, k) {
				fn(el)
			}
		}
	}
}

// sawEntry applies another writer's journal entry, written after every
// change remembered so far: the changes it replaces are forgotten.
func (w *coWriters) sawEntry(e *format.Entry) {
	w.eachCovered(e, func(el *list.Element) {
		w.forget(el)
		w.Superseded++
	})
}

// catchUp accounts for the entries of j this store has not: another
// writer's, appended after everything this store wrote to j. Called with
// the journal refreshed, before appending to it or merging it.
func (w *coWriters) catchUp(j *format.Journal) {
	if j.Len() > w.scanned {
		w.sawAnotherWriter()
		for i := w.scanned; i < j.Len(); i++ {
			if e, err := j.Entry(i); err == nil {
				w.sawEntry(&e)
			}
		}
	}
	// A writer without the lock rewrote the entry count: it appends at
	// its own cursor, over what others appended.
	if j.Published() < uint32(j.Len()) {
		w.sawAnotherWriter()
	}
	w.scanned = max(w.scanned, j.Len())
}

// entryID identifies a journal entry by its bytes, to tell entries another
// writer's rotation copied from the old journal into its new one.
type entryID struct{ size, crc uint32 }

func idOf(b []byte) entryID { return entryID{be.Uint32(b), be.Uint32(b[4:])} }

// journalIDs lists the entries of j by their bytes.
func journalIDs(j *format.Journal) map[entryID]bool {
	ids := make(map[entryID]bool, j.Len())
	for i := 0; i < j.Len(); i++ {
		ids[idOf(j.EntryBytes(i, i+1))] = true
	}
	return ids
}

// afterForeignRotation takes in the tree and journal another writer's
// rotation left: entries of the new journal not copied from the old one
// (whose IDs are in old) are that writer's, newer than every remembered
// change; remembered changes its tree holds are forgotten, as are those
// it replaced with newer ones. It returns the rest, as journal entries
// to carry into the next write. old is needed only while remembering.
func (w *coWriters) afterForeignRotation(tree *format.Tree, j *format.Journal, carried []byte, old map[entryID]bool) []byte {
	w.sawAnotherWriter()
	w.scanned = 0
	if j != nil {
		w.scanned = j.Len()
	}
	if !w.remembering() {
		return nil
	}
	if j != nil {
		for i := 0; i < j.Len(); i++ {
			if old[idOf(j.EntryBytes(i, i+1))] {
				continue
			}
			if e, err := j.Entry(i); err == nil {
				w.sawEntry(&e)
			}
		}
	}
	runs := entryRuns{nil, carried}
	if j != nil {
		runs[0] = j.EntryBytes(0, j.Len())
	}
	out, n := w.missing(tree, runs, true)
	w.Restored += n
	return out
}

// missing returns, as journal entries oldest first, the remembered
// changes that a tree with runs merged into it (oldest first) would not
// show. foreign says another writer made the tree: remembered changes it
// shows are then forgotten, and so are those a later change of their path
// in it replaced.
func (w *coWriters) missing(tree *format.Tree, runs entryRuns, foreign bool) (out []byte, n int) {
	if !w.remembering() {
		return nil, 0
	}
	d := newDecider(tree, runs, w.byPath)
	for el := w.order.Front(); el != nil; {
		next := el.Next()
		oc := el.Value.(*ownChange)
		dec := d.decide(oc.c.Path, oc.c.Key)
		switch {
		case shows(&oc.c, dec):
			if foreign && !dec.byEntry {
				w.forget(el)
				w.Shown++
			}
		case dec.byEntry && dec.mtime > oc.c.Mtime,
			foreign && !dec.byEntry && dec.treeChanged > int64(oc.c.Mtime):
			w.forget(el)
			w.Superseded++
		default:
			// Encoding cannot fail: the change was encoded once already.
			out, _ = oc.c.AppendTo(out)
			n++
		}
		el = next
	}
	return out, n
}

// shows reports whether a key decided as dec holds c's outcome.
func shows(c *format.Change, dec decision) bool {
	switch c.Op {
	case format.OpSet:
		return dec.found && !dec.val.IsList && dec.val.Value == c.Value
	case format.OpSetList:
		return dec.found && dec.val.IsList && slices.Equal(dec.val.List, c.List)
	}
	return !dec.found
}

// decision is what a tree with journal entries merged into it holds for
// one key: the value, and what decided it (an entry, with its time, or
// the tree, with its path's change time).
type decision struct {
	val         format.KeyValue
	found       bool
	byEntry     bool
	mtime       uint64
	treeChanged int64
}

// decider answers many decisions over one tree and run of entries: an
// index of the newest key entry of each remembered path and key, and the
// copies and removes, near whose paths the C reader's walk is followed
// entry by entry.
type decider struct {
	tree    *format.Tree
	runs    entryRuns
	newest  map[string]map[string]format.Entry
	paths   []format.Entry // the copies and removes
	entries [][]byte       // newest first, made when first needed
}

func newDecider(tree *format.Tree, runs entryRuns, want map[string]map[string]*list.Element) *decider {
	d := &decider{tree: tree, runs: runs, newest: map[string]map[string]format.Entry{}}
	runs.each(func(e *format.Entry) error {
		switch {
		case isKeyOp(e.Op):
			if want[string(e.Path)][string(e.Key)] == nil {
				break
			}
			keys := d.newest[string(e.Path)]
			if keys == nil {
				keys = map[string]format.Entry{}
				d.newest[string(e.Path)] = keys
			}
			keys[string(e.Key)] = *e
		case e.Op == format.OpRemove || e.Op == format.OpCopy:
			d.paths = append(d.paths, *e)
		}
		return nil
	})
	return d
}

func (d *decider) decide(path, key string) decision {
	for i := range d.paths {
		if replaces(&d.paths[i], []byte(path)) {
			return d.walk([]byte(path), key)
		}
	}
	if e, ok := d.newest[path][key]; ok {
		val, found := entryValue(&e)
		return decision{val: val, found: found, byEntry: true, mtime: e.Mtime}
	}
	return d.inTree([]byte(path), key)
}

// walk decides a key the C reader's way, for a path a copy or remove in
// the entries may reach.
func (d *decider) walk(path []byte, key string) decision {
	if d.entries == nil {
		d.entries = d.runs.newestFirst()
	}
	by, decided, final := view{entries: d.entries}.decideKey(path, key)
	if decided {
		var dec decision
		dec.val, dec.found = entryValue(&by)
		dec.byEntry, dec.mtime = true, by.Mtime
		return dec
	}
	return d.inTree(final, key)
}

// inTree decides a key from the tree alone.
func (d *decider) inTree(path []byte, key string) decision {
	t := view{tree: d.tree}
	var dec decision
	dec.val, dec.found = t.inTree(path, key)
	dec.treeChanged = t.treeLastChanged(path)
	return dec
}
