// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"time"

	"gvfs-metadata/format"
)

// The rotation protocol: the journal merged into a new tree, which gets a
// new, empty journal, such that every reader, in this process or another,
// sees the same keys before and after, and a crash at any point leaves the
// old tree with its journal or the new tree with its journal. Its steps,
// each a function:
//
//  1. snapshotLocked (s.mu): the old tree (a reference keeps it mapped),
//     a copy of the journal's entries so far and what the co-writer seam
//     adds (coWriters.snapshot).
//  2. writeTree (no lock needed): the new tree, a patch of the old file or
//     laid out whole, written to a temporary name and fsynced.
//  3. planJournalLocked (s.mu): the new journal's size, for what was
//     written since the snapshot and the room the next rotation needs.
//  4. makeJournal (no lock needed): the new journal, zeros, fsynced
//     before any tree names it.
//  5. commitLocked (s.mu, then the tree's lock): the entries written since
//     the snapshot carried into the new journal (carryLocked), the new
//     tree renamed over the old one, the old one marked rotated, the store
//     swapped over to the new files (swapLocked).
//  6. finish (no lock needed): the directory fsynced, the old journal
//     removed.
//
// A failure before step 5's rename undoes the others (abortLocked). A
// rotation runs in the write that needs it, holding s.mu throughout as
// the C daemon does (runLocked), or in the background
// (startRotationLocked), where steps 2, 4 and 6 run without s.mu and
// writers go on appending to the old journal.

// rotationState tracks the rotation in flight. Guarded by Store.mu.
type rotationState struct {
	current *rotation // the rotation running in the background, if any
	// room is signalled whenever a writer waiting for journal space may
	// find some: at a swap, when a rotation ends, at Close.
	room *sync.Cond

	plan  journalPlan
	err   error // why the last rotation failed, nil after a success
	last  time.Time
	count int
}

// rotation is one rewrite of the tree, its state by step.
type rotation struct {
	snap  rotationSnapshot // step 1
	built rotationBuilt    // steps 2 to 4
	swap  rotationSwap     // step 5, for step 6
	done  chan struct{}    // closed when a background rotation has ended
	err   error            // why it failed, including step 6
}

// rotationSnapshot is what step 1 takes. Nothing in it changes after:
// the steps that follow read it without the lock.
type rotationSnapshot struct {
	old     *treeFile    // nil when creating the first tree
	initial *format.Node // the content of a tree being created
	entries entryRuns    // journal entries (and a write's own) merged into the new tree
	merged  int          // how many of them came from the journal
	others  othersShare  // what the co-writer seam gave
	tag     uint32       // of the new tree
	began   time.Time
	// rewrite lays the whole tree out again, as the C builder does,
	// rather than patch the old file; sizeLimit is how big a patched one
	// may grow (twice the size of the last tree laid out whole).
	rewrite   bool
	sizeLimit int
	burst     bool // it started within burstWindow of the last swap
}

// rotationBuilt is what steps 2 to 4 make.
type rotationBuilt struct {
	tmpPath string // the new tree, until step 5 renames it
	outSize int    // its bytes
	patched bool   // it is a patch of the old tree
	damage  Damage // what of the old tree could not be carried over
	journal *journalFile
	size    int  // the new journal's
	burst   bool // the snapshot's, or writes outran the last rotation
}

// rotationSwap is what step 5 did, for step 6.
type rotationSwap struct {
	// committed: the new tree is in place (whatever failed after that,
	// finish must still run).
	committed bool
	// what finish retires: the old journal, or only its name
	oldJournal     *journalFile
	oldJournalPath string
}

// startRotationLocked takes a snapshot and runs the rest of a rotation in
// a background goroutine while writers go on appending to the journal;
// rewrite lays the whole tree out again rather than patch it. It returns
// nil when a rotation already runs or the store is closed.
func (s *Store) startRotationLocked(rewrite bool) *rotation {
	if s.rot.current != nil || s.closed {
		return nil
	}
	r := s.snapshotLocked(nil) // step 1
	r.snap.rewrite = rewrite
	r.done = make(chan struct{})
	s.rot.current = r
	go s.runInBackground(r)
	return r
}

// runInBackground runs steps 2 to 6 of a background rotation, taking s.mu
// only for steps 3 and 5.
func (s *Store) runInBackground(r *rotation) {
	defer close(r.done)
	err := s.writeTree(r) // step 2
	if err == nil {
		s.mu.Lock()
		s.planJournalLocked(r) // step 3
		s.mu.Unlock()
		err = s.makeJournal(r) // step 4
	}
	s.mu.Lock()
	if err == nil {
		err = s.commitLocked(r) // step 5
	}
	if !r.swap.committed {
		s.abortLocked(r, err)
	}
	s.mu.Unlock()
	if r.swap.committed {
		err = errors.Join(err, s.finish(r)) // step 6
	}
	s.mu.Lock()
	r.err = err
	s.rot.err = err
	s.rot.current = nil
	s.rot.room.Broadcast()
	// Writes carried into the new journal may already fill it to the
	// threshold; the next rotation starts now rather than at the next
	// write, which may not come for a while.
	if err == nil && s.needsRotationLocked() {
		s.startRotationLocked(false)
	}
	s.mu.Unlock()
}

// rotateLocked runs a whole rotation in the caller, as the C daemon does
// inside the write that found its journal full; rewrite lays the whole
// tree out again.
func (s *Store) rotateLocked(rewrite bool) error {
	r := s.snapshotLocked(nil)
	r.snap.rewrite = rewrite
	return s.runLocked(r)
}

// runLocked runs steps 2 to 6 of a rotation in the caller, holding s.mu
// throughout, undoing it if any step before the rename fails.
func (s *Store) runLocked(r *rotation) error {
	if s.closed {
		return ErrClosed
	}
	err := s.writeTree(r)
	if err == nil {
		s.planJournalLocked(r)
		err = s.makeJournal(r)
	}
	if err == nil {
		err = s.commitLocked(r)
	}
	if r.swap.committed {
		err = errors.Join(err, s.finish(r))
	} else {
		s.abortLocked(r, err)
	}
	s.rot.err = err
	return err
}

// snapshotLocked is step 1: a rotation from the current tree and every
// journal entry so far, plus extra: entries of a write that found no
// room, which go into the new tree without ever being in a journal.
func (s *Store) snapshotLocked(extra []byte) *rotation {
	// began times the rotation (a measurement: the real clock); whether
	// it is part of a burst is a matter of the store's clock.
	r := &rotation{snap: rotationSnapshot{began: time.Now(), sizeLimit: 2 * s.rot.plan.laidOut}}
	sn := &r.snap
	sn.burst = !s.rot.last.IsZero() && s.opts.Now().Sub(s.rot.last) < burstWindow
	if s.tree != nil {
		sn.old = s.tree.acquire()
		sn.tag = s.tree.t.Tag()
	}
	for sn.tag == 0 || (s.tree != nil && sn.tag == s.tree.t.Tag()) {
		sn.tag = rand.Uint32()
	}
	// Copied: the journal's bytes live in its mapping, which the swap
	// unmaps while the rebuild may still read them.
	var journalEntries []byte
	if s.journal != nil {
		s.refreshJournalLocked()
		sn.merged = s.journal.j.Len()
		journalEntries, _ = keepDecodable(bytes.Clone(s.journal.j.EntryBytes(0, sn.merged)))
	}
	var tree *format.Tree
	if s.tree != nil {
		tree = s.tree.t
	}
	sn.entries, sn.others = s.others.snapshot(tree, s.journal, journalEntries, extra)
	return r
}

// waitRotation waits until no background rotation runs.
func (s *Store) waitRotation() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waitRotationLocked()
}

// waitRotationLocked waits until no background rotation runs.
func (s *Store) waitRotationLocked() {
	for s.rot.current != nil {
		s.rot.room.Wait()
	}
}

// planJournalLocked is step 3: it sizes the new journal for what has
// been written since the snapshot (the swap carries it over) and the
// room the next rotation needs, so that a bigger one need not be made
// (and fsynced) under the writers' lock at the swap.
func (s *Store) planJournalLocked(r *rotation) {
	carried := 0
	if s.journal != nil {
		s.journal.j.Refresh()
		carried = len(s.journal.j.EntryBytes(r.snap.merged, s.journal.j.Len()))
	}
	// Writes that outran the last rotation make this one part of a burst.
	r.built.burst = r.snap.burst || s.rot.plan.waited
	r.built.size = s.newJournalSizeLocked(carried, r.built.outSize, r.built.burst)
}

// commitLocked is step 5: it publishes a built rotation. It carries every
// entry written since the snapshot into the new journal, renames the new
// tree over the old one, marks the old tree rotated so that every reader
// reopens, and swaps the store over to the new files. Writers wait for
// it (it holds their lock), so a write answered after it is in the
// journal every reader now walks; a write answered before it was in the
// old journal and is carried over.
func (s *Store) commitLocked(r *rotation) error {
	if s.tree != r.snap.old {
		return errors.New("tree was reopened during the rotation")
	}
	if r.snap.old != nil {
		// Other processes' writers append under this lock and check,
		// under it, that the tree is not marked rotated: none appends
		// between the carry below and the mark.
		if err := r.snap.old.file.Lock(); err != nil {
			return err
		}
		defer r.snap.old.file.Unlock()
	}
	carried, count, err := s.carryLocked(r)
	if err != nil {
		return err
	}
	oldFile, err := s.openOldTree(r)
	if err != nil {
		return err
	}
	if err := s.fs.Rename(r.built.tmpPath, s.path); err != nil {
		if oldFile != nil {
			oldFile.Close()
		}
		return err
	}
	r.built.tmpPath = ""
	r.swap.committed = true
	// Readers still holding the old tree would go on walking the old
	// journal, and miss every write the new one takes from here on: mark
	// the old tree before any such write is answered. (The reference
	// makes the rename durable first; a tree marked rotated that power
	// loss leaves in place is still read and written, by the C code and
	// by this store alike, since the name still points at it.)
	if oldFile != nil {
		var mark [4]byte
		be.PutUint32(mark[:], format.RotatedMark)
		if _, err := oldFile.WriteAt(mark[:], format.RotatedOffset); err != nil {
			s.opts.Logf("%s: marking the old tree rotated: %v", s.path, err)
		}
		oldFile.Close()
	}
	return s.swapLocked(r, carried, count)
}

// carryLocked copies the entries written since the snapshot into the new
// journal (making it bigger if they do not fit), and returns them.
func (s *Store) carryLocked(r *rotation) (carried []byte, count int, err error) {
	if s.journal != nil {
		s.refreshJournalLocked()
		carried, count = keepDecodable(bytes.Clone(s.journal.j.EntryBytes(r.snap.merged, s.journal.j.Len())))
	}
	b := &r.built
	if len(carried) > b.journal.j.Free() {
		// More came since the journal was planned than it holds: make one
		// that does. A journal never holds more than the cap, so neither
		// did the old one.
		b.journal.close()
		s.fs.Remove(b.journal.path)
		need := roundUp(format.JournalHeaderSize+len(carried), 4096)
		b.size = max(need, min(roundUp(format.JournalHeaderSize+len(carried)+s.roomLocked(b.outSize), 4096), s.maxJournal()))
		if b.journal, b.size, err = createJournalFitting(s.fs, b.journal.path, r.snap.tag, b.size, need); err != nil {
			return nil, 0, err
		}
	}
	if count > 0 {
		if err := b.journal.append(carried, count); err != nil {
			return nil, 0, err
		}
	}
	return carried, count, nil
}

// openOldTree opens the tree file in place for writing its rotated mark,
// after checking it is still the one the rotation started from; a tree
// with damage the rotation could not carry is kept under another name.
func (s *Store) openOldTree(r *rotation) (File, error) {
	if r.snap.old == nil {
		return nil, nil
	}
	var oldFile File
	f, err := s.fs.OpenWrite(s.path)
	if err == nil {
		if st, serr := f.Stat(); serr != nil || st.Inode != r.snap.old.inode {
			f.Close()
			return nil, fmt.Errorf("%w: the tree was replaced during the rotation", errAnotherWriter)
		}
		oldFile = f
	}
	if d := r.built.damage; d.Count > 0 {
		keep := fmt.Sprintf("%s.damaged-%d", s.path, s.opts.Now().Unix())
		if err := s.fs.Link(s.path, keep); err == nil {
			s.opts.Logf("%s: %d damaged parts (first: %v) could not be carried into the new tree; the old tree is kept as %s", s.path, d.Count, d.Errors[0], keep)
		}
	}
	return oldFile, nil
}

// swapLocked moves the store over to the new tree and journal once the
// new tree has its name, and notes what finish retires.
func (s *Store) swapLocked(r *rotation, carried []byte, count int) error {
	if s.others.committed(s.journal, r.snap.entries[0], carried, count, r.snap.others) {
		// Another writer may go on appending to it (see cowriter_adopt.go).
		r.swap.oldJournalPath = s.journal.path
	} else {
		r.swap.oldJournal = s.journal
	}
	if s.journal == nil && r.snap.old != nil {
		r.swap.oldJournalPath = journalPath(s.fs, s.path, r.snap.old.t.Tag(), s.nfs, s.opts.RuntimeDir)
	}
	tree, err := openTree(s.fs, s.path, s.nfs)
	if s.tree != nil {
		s.tree.release()
		s.tree = nil
	}
	b := &r.built
	s.journal = b.journal
	b.journal = nil
	s.rot.plan.written = len(carried)
	s.rot.plan.took = time.Since(r.snap.began)
	s.rot.plan.threshold = s.thresholdForLocked(b.size, b.outSize, b.burst)
	if !b.patched {
		s.rot.plan.laidOut = b.outSize
	}
	s.rot.err = nil
	s.rot.last = s.opts.Now()
	s.rot.count++
	s.rot.room.Broadcast()
	if err != nil {
		return fmt.Errorf("reopening the new tree: %w", err)
	}
	s.tree = tree
	return nil
}

// finish is step 6: it completes a committed rotation: it makes the rename durable
// (directory fsync), then removes the old journal, which a tree on disk
// names until then. It needs no lock: writers already use the new
// journal.
func (s *Store) finish(r *rotation) error {
	err := s.fs.SyncDir(filepath.Dir(s.path))
	if err != nil {
		err = fmt.Errorf("syncing the directory after rotation: %w", err)
		s.opts.Logf("%s: %v", s.path, err)
	}
	switch {
	case r.swap.oldJournal != nil:
		r.swap.oldJournal.close()
		s.fs.Remove(r.swap.oldJournal.path)
	case r.swap.oldJournalPath != "":
		s.fs.Remove(r.swap.oldJournalPath)
	}
	if r.snap.old != nil {
		r.snap.old.release() // the snapshot's reference
	}
	return err
}

// abortLocked undoes a rotation that failed before its rename. The old
// tree and journal stay in use.
func (s *Store) abortLocked(r *rotation, err error) {
	s.rot.err = err
	s.others.aborted(r.snap.others, s.tree != r.snap.old)
	s.opts.Logf("%s: rotation failed: %v", s.path, err)
	if r.built.tmpPath != "" {
		s.fs.Remove(r.built.tmpPath)
	}
	if r.built.journal != nil {
		r.built.journal.close()
		s.fs.Remove(r.built.journal.path)
	}
	if r.snap.old != nil {
		r.snap.old.release()
	}
}
