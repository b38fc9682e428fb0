// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"gvfs-metadata/format"
)

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

// rotation is one rewrite of the tree: the snapshot it starts from and the
// files it produces.
type rotation struct {
	old        *treeFile     // nil when creating the first tree
	background bool          // built without holding the store's lock
	initial    *format.Node  // the content of a tree being created
	entries    entryRuns     // journal entries (and a write's own) merged into the new tree
	merged     int           // how many of them came from the journal
	done       chan struct{} // closed when a background rotation has ended
	tag        uint32
	size       int // size of the new journal
	tmpPath    string
	journal    *journalFile
	damage     Damage
	// others is what the rotation took from the co-writer seam.
	others othersShare
	began  time.Time
	err    error // why it failed, including the directory sync after the swap

	// committed: the new tree is in place (whatever failed after that,
	// finish must still run).
	committed bool
	outSize   int // bytes of the new tree
	// rewrite lays the whole tree out again, as the C builder does,
	// rather than patch the old file; sizeLimit is how big a patched one
	// may grow (twice the size of the last tree laid out whole).
	rewrite   bool
	sizeLimit int
	patched   bool // the new tree is a patch of the old
	burst     bool // it started within burstWindow of the last swap
	// what finish retires once the new tree is in place
	oldJournal     *journalFile
	oldJournalPath string
}

// startRotationLocked snapshots the tree and journal and rebuilds the tree
// in a background goroutine while writers go on appending to the journal;
// rewrite lays the whole tree out again rather than patch it. Called with
// s.mu held; returns nil when a rotation already runs or the store is
// closed.
func (s *Store) startRotationLocked(rewrite bool) *rotation {
	if s.rot.current != nil || s.closed {
		return nil
	}
	r := s.snapshotLocked(nil)
	r.background = true
	r.rewrite = rewrite
	r.done = make(chan struct{})
	s.rot.current = r
	go func() {
		defer close(r.done)
		err := r.build(s)
		s.mu.Lock()
		if err == nil {
			err = s.commitLocked(r)
		}
		if !r.committed {
			s.abortLocked(r, err)
		}
		s.mu.Unlock()
		if r.committed {
			err = errors.Join(err, s.finish(r))
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
	}()
	return r
}

// rotateLocked runs a whole rotation in the caller, holding s.mu, as the C
// daemon does inside the write that found its journal full; rewrite lays
// the whole tree out again.
func (s *Store) rotateLocked(rewrite bool) error {
	r := s.snapshotLocked(nil)
	r.rewrite = rewrite
	return s.runLocked(r)
}

// runLocked builds and commits a rotation in the caller, undoing it if any
// step fails.
func (s *Store) runLocked(r *rotation) error {
	if s.closed {
		return ErrClosed
	}
	err := r.build(s)
	if err == nil {
		err = s.commitLocked(r)
	}
	if r.committed {
		err = errors.Join(err, s.finish(r))
	} else {
		s.abortLocked(r, err)
	}
	s.rot.err = err
	return err
}

// snapshotLocked starts a rotation from the current tree and every journal
// entry so far, plus extra: entries of a write that found no room, which
// go into the new tree without ever being in a journal.
func (s *Store) snapshotLocked(extra []byte) *rotation {
	// began times the rotation (a measurement: the real clock); whether
	// it is part of a burst is a matter of the store's clock.
	r := &rotation{began: time.Now(), sizeLimit: 2 * s.rot.plan.laidOut}
	r.burst = !s.rot.last.IsZero() && s.opts.Now().Sub(s.rot.last) < burstWindow
	if s.tree != nil {
		r.old = s.tree.acquire()
		r.tag = s.tree.t.Tag()
	}
	for r.tag == 0 || (s.tree != nil && r.tag == s.tree.t.Tag()) {
		r.tag = rand.Uint32()
	}
	// Copied: the journal's bytes live in its mapping, which the swap
	// unmaps while the rebuild may still read them.
	var journalEntries []byte
	if s.journal != nil {
		s.refreshJournalLocked()
		r.merged = s.journal.j.Len()
		journalEntries, _ = keepDecodable(bytes.Clone(s.journal.j.EntryBytes(0, r.merged)))
	}
	var tree *format.Tree
	if s.tree != nil {
		tree = s.tree.t
	}
	r.entries, r.others = s.others.snapshot(tree, s.journal, journalEntries, extra)
	return r
}

// waitRotation waits until no background rotation runs.
func (s *Store) waitRotation() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waitRotationLocked()
}

// waitRotationLocked waits, with s.mu held, until no background rotation
// runs.
func (s *Store) waitRotationLocked() {
	for s.rot.current != nil {
		s.rot.room.Wait()
	}
}

// build merges the snapshot into a new tree file (written to a temporary
// name and fsynced) and creates the new, empty journal. It needs no lock:
// the old tree and the merged journal entries never change.
func (r *rotation) build(s *Store) error {
	tmp, err := r.writeTree(s)
	if err != nil {
		return err
	}
	r.tmpPath = tmp
	r.size = r.plannedSize(s)
	jpath := journalPath(s.fs, s.path, r.tag, s.nfs, s.opts.RuntimeDir)
	r.journal, r.size, err = createJournalFitting(s.fs, jpath, r.tag, r.size, s.journalSize())
	return err
}

// createJournalFitting creates a journal of size bytes, or of least bytes
// when the disk has no room for more: a nearly full disk then rotates
// more often rather than refuse writes a journal of the usual size still
// holds. It returns the size made.
func createJournalFitting(fsys FS, path string, tag uint32, size, least int) (*journalFile, int, error) {
	j, err := createJournal(fsys, path, tag, size)
	if errors.Is(err, syscall.ENOSPC) && least < size {
		size = least
		j, err = createJournal(fsys, path, tag, size)
	}
	return j, size, err
}

// writeTree writes the new tree to a temporary file and makes it
// durable: as a patch of the old file (see patch.go) unless the rotation
// must lay the tree out again, or the journal cannot be expressed as a
// patch, or the file would grow past its limit; else whole.
func (r *rotation) writeTree(s *Store) (string, error) {
	if !r.rewrite && r.old != nil {
		p, err := patchTree(r.old.t, r.entries, r.tag)
		if err == nil && p.Size() <= r.sizeLimit {
			r.outSize = p.Size()
			r.patched = true
			return s.writeTemp(func(f File) error {
				if err := s.fs.CopyRange(f, r.old.file, 0, int64(len(r.old.t.Bytes()))); err != nil {
					return err
				}
				return p.WriteTo(f)
			})
		}
	}
	data, err := r.newTree()
	if err != nil {
		return "", err
	}
	r.outSize = len(data)
	return s.writeTemp(func(f File) error {
		_, err := f.WriteAt(data, 0)
		return err
	})
}

// plannedSize sizes the new journal for what has been written since the
// snapshot (the swap carries it over) and the room the next rotation
// needs, so that a bigger one need not be made (and fsynced) under the
// writers' lock at the swap.
func (r *rotation) plannedSize(s *Store) int {
	if r.background {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	carried := 0
	if s.journal != nil {
		s.journal.j.Refresh()
		carried = len(s.journal.j.EntryBytes(r.merged, s.journal.j.Len()))
	}
	if s.rot.plan.waited {
		r.burst = true // writes outran the last rotation: a burst
	}
	return s.planJournal(carried, r.outSize, r.burst)
}

// newTree merges the snapshot into the bytes of a new tree file: by
// copying the old tree's untouched blocks when it is laid out as the
// builders lay it out, else by decoding all of it into nodes.
func (r *rotation) newTree() ([]byte, error) {
	if r.old != nil && !forceFullRebuild {
		if data, err := rebuild(r.old.t, r.entries, r.tag); err == nil {
			return data, nil
		}
	}
	root := &format.Node{Name: "/"}
	switch {
	case r.old != nil:
		root, r.damage = loadTree(r.old.t)
	case r.initial != nil:
		root = r.initial
	}
	err := r.entries.each(func(e *format.Entry) error {
		c := e.View()
		replayOnNodes(root, &c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal entry vanished during rotation: %w", err)
	}
	return format.Build(root, r.tag), nil
}

// forceFullRebuild makes every rotation decode the whole tree; tests use
// it to compare the two ways of rotating.
var forceFullRebuild = false

// writeTemp writes a complete tree next to the real one (with write) and
// makes it durable, so that the rename that publishes it can never expose
// a torn file.
func (s *Store) writeTemp(write func(File) error) (string, error) {
	var f File
	var name string
	var err error
	for range 100 {
		name = s.path + "." + randomSuffix()
		f, err = s.fs.CreateExclusive(name, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return "", err
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.fs.Remove(name)
		return "", err
	}
	return name, nil
}

// createJournal creates an empty journal of size bytes, durable before any
// tree names it: a tree whose journal is missing or torn after a crash
// would leave the C daemon unable to write.
func createJournal(fsys FS, path string, tag uint32, size int) (*journalFile, error) {
	f, err := fsys.CreateExclusive(path, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// A leftover of a rotation that crashed before its rename: nothing
		// names it, so it holds nothing anyone can see.
		fsys.Remove(path)
		f, err = fsys.CreateExclusive(path, 0o600)
	}
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*journalFile, error) {
		f.Close()
		fsys.Remove(path)
		return nil, err
	}
	// Real zeros, not a sparse file: appends then never allocate blocks,
	// which could make a writer wait on the file system's own journal
	// while another file is being fsynced.
	body := make([]byte, size)
	copy(body, format.NewJournalHeader(tag, uint32(size)))
	if _, err := f.WriteAt(body, 0); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	m, err := f.MapWritable(size)
	if err != nil {
		return fail(err)
	}
	j, err := format.ParseJournal(m.Bytes(), tag)
	if err != nil {
		m.Unmap()
		return fail(err)
	}
	return &journalFile{path: path, file: f, m: m, j: j}, nil
}

// commitLocked publishes a built rotation: it carries every entry written
// since the snapshot into the new journal, renames the new tree over the
// old one, marks the old tree rotated so that every reader reopens, and
// swaps the store over to the new files. Writers wait for it (it holds
// their lock), so a write answered after it is in the journal every
// reader now walks; a write answered before it was in the old journal and
// is carried over.
func (s *Store) commitLocked(r *rotation) error {
	if s.tree != r.old {
		return errors.New("tree was reopened during the rotation")
	}
	if r.old != nil {
		// Other processes' writers append under this lock and check,
		// under it, that the tree is not marked rotated: none appends
		// between the carry below and the mark.
		if err := r.old.file.Lock(); err != nil {
			return err
		}
		defer r.old.file.Unlock()
	}
	var carried []byte
	count := 0
	if s.journal != nil {
		s.refreshJournalLocked()
		carried, count = keepDecodable(bytes.Clone(s.journal.j.EntryBytes(r.merged, s.journal.j.Len())))
	}
	if len(carried) > r.journal.j.Free() {
		// More came since the journal was planned than it holds: make one
		// that does. A journal never holds more than the cap, so neither
		// did the old one.
		r.journal.close()
		s.fs.Remove(r.journal.path)
		need := roundUp(format.JournalHeaderSize+len(carried), 4096)
		r.size = max(need, min(roundUp(format.JournalHeaderSize+len(carried)+s.room(r.outSize), 4096), s.maxJournal()))
		var err error
		if r.journal, r.size, err = createJournalFitting(s.fs, r.journal.path, r.tag, r.size, need); err != nil {
			return err
		}
	}
	if count > 0 {
		if err := r.journal.append(carried, count); err != nil {
			return err
		}
	}

	var oldFile File
	if r.old != nil {
		f, err := s.fs.OpenWrite(s.path)
		if err == nil {
			if st, serr := f.Stat(); serr != nil || st.Inode != r.old.inode {
				f.Close()
				return fmt.Errorf("%w: the tree was replaced during the rotation", errAnotherWriter)
			}
			oldFile = f
		}
		if r.damage.Count > 0 {
			keep := fmt.Sprintf("%s.damaged-%d", s.path, s.opts.Now().Unix())
			if err := s.fs.Link(s.path, keep); err == nil {
				s.opts.Logf("%s: %d damaged parts (first: %v) could not be carried into the new tree; the old tree is kept as %s", s.path, r.damage.Count, r.damage.Errors[0], keep)
			}
		}
	}
	if err := s.fs.Rename(r.tmpPath, s.path); err != nil {
		if oldFile != nil {
			oldFile.Close()
		}
		return err
	}
	r.tmpPath = ""
	r.committed = true
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
	if s.others.committed(s.journal, r.entries[0], carried, count, r.others) {
		// Another writer may go on appending to it (see cowriter_adopt.go).
		r.oldJournalPath = s.journal.path
	} else {
		r.oldJournal = s.journal
	}
	if s.journal == nil && r.old != nil {
		r.oldJournalPath = journalPath(s.fs, s.path, r.old.t.Tag(), s.nfs, s.opts.RuntimeDir)
	}
	tree, err := openTree(s.fs, s.path, s.nfs)
	if s.tree != nil {
		s.tree.release()
		s.tree = nil
	}
	s.journal = r.journal
	r.journal = nil
	s.rot.plan.written = len(carried)
	s.rot.plan.took = time.Since(r.began)
	s.rot.plan.threshold = s.thresholdFor(r.size, r.outSize, r.burst)
	if !r.patched {
		s.rot.plan.laidOut = r.outSize
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

// finish completes a committed rotation: it makes the rename durable
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
	case r.oldJournal != nil:
		r.oldJournal.close()
		s.fs.Remove(r.oldJournal.path)
	case r.oldJournalPath != "":
		s.fs.Remove(r.oldJournalPath)
	}
	if r.old != nil {
		r.old.release() // the snapshot's reference
	}
	return err
}

// abortLocked undoes a rotation that failed before its rename. The old
// tree and journal stay in use.
func (s *Store) abortLocked(r *rotation, err error) {
	s.rot.err = err
	s.others.aborted(r.others, s.tree != r.old)
	s.opts.Logf("%s: rotation failed: %v", s.path, err)
	if r.tmpPath != "" {
		s.fs.Remove(r.tmpPath)
	}
	if r.journal != nil {
		r.journal.close()
		s.fs.Remove(r.journal.path)
	}
	if r.old != nil {
		r.old.release()
	}
}
