// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"errors"

	"gvfs-metadata/format"
)

// ErrReadOnly is returned by writes to a store opened read-only.
var ErrReadOnly = errors.New("metadata store is read-only")

// ErrClosed is returned by calls on a store after Close.
var ErrClosed = errors.New("metadata store is closed")

// Apply appends changes to the journal as one unit, and returns once they
// are where every reader looks: other processes see all of them or none
// (the entry count is published once, after all their bytes), and a
// process killed after Apply returns loses none of them (they are in a
// file's pages, which the kernel keeps). A change with Mtime 0 gets the
// current time.
//
// When the journal has no room left, Apply waits for the rotation under
// way to swap in a new journal; when none runs, it rewrites the tree with
// the journal and the changes merged in, as the C daemon does inside the
// write that finds its journal full. If that fails (a full disk, say),
// Apply returns the error and nothing of the changes is applied.
func (s *Store) Apply(changes ...format.Change) error {
	if s.opts.ReadOnly {
		return ErrReadOnly
	}
	now := uint64(s.opts.Now().Unix())
	buf, err := encodeChanges(changes, now)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Told to the co-writer seam as soon as they are in the files, before
	// a rotation that starts then merges them.
	applied := func() { s.others.acknowledgedChanges(changes, now) }
	return s.retryLocked(func() error { return s.applyOnceLocked(buf, len(changes), applied) })
}

// maxRetries bounds how often a write or flush starts again because
// another writer rotated the tree or damaged the journal under it.
const maxRetries = 8

// errWaited: the write waited for a rotation's swap, and starts again.
var errWaited = errors.New("waited for room")

// retryLocked runs once until it neither waited for room (errWaited) nor
// met another writer's change (errAnotherWriter, at most maxRetries
// times), and returns its last result.
func (s *Store) retryLocked(once func() error) error {
	for retries := 0; ; {
		err := once()
		switch {
		case errors.Is(err, errWaited):
		case errors.Is(err, errAnotherWriter) && retries < maxRetries:
			retries++
		default:
			return err
		}
	}
}

// applyOnceLocked tries to apply encoded changes once: appended to the
// journal under the tree's lock, or merged into a new tree when the
// journal has no room and no rotation is under way that would make some.
// It calls applied once they are.
func (s *Store) applyOnceLocked(buf []byte, count int, applied func()) error {
	if err := s.refreshLocked(); err != nil {
		return err
	}
	if err := s.keepNamesLocked(); err != nil {
		return err
	}
	s.others.adoptRetired()
	unlock, err := s.lockTreeLocked()
	if err != nil {
		return err
	}
	entries, n, carrying := s.others.withCarried(buf, count, s.rot.current != nil)
	if s.journal != nil {
		s.refreshJournalLocked() // another writer's appends, made under the lock
		if s.others.leaving(s.journal, len(entries)) {
			unlock()
			return s.leaveJournalLocked()
		}
		if s.journal.j.Broken() == nil && len(entries) <= s.journal.j.Free() {
			at := s.journal.j.End()
			err := s.journal.append(entries, n)
			unlock()
			if err != nil {
				s.others.appendRefused(s.journal, entries)
				return s.repairAfterLocked(err)
			}
			s.others.appended(s.journal, at, entries, carrying)
			applied()
			if s.opts.Background && s.needsRotationLocked() {
				s.startRotationLocked(false)
			}
			return nil
		}
	}
	unlock()
	if s.journal != nil && s.journal.j.Broken() != nil {
		return s.repairAfterLocked(s.journal.j.Broken())
	}
	if s.rot.current == nil {
		// No room, and no rotation that would make some: rewrite the
		// tree now, with these changes in it.
		err := s.runLocked(s.snapshotLocked(buf))
		if err == nil {
			applied()
		}
		return err
	}
	s.rot.plan.waited = true
	s.rot.room.Wait()
	return errWaited
}

// encodeChanges encodes changes as journal entries, giving those without
// a time now.
func encodeChanges(changes []format.Change, now uint64) ([]byte, error) {
	size := 0
	for i := range changes {
		size += changes[i].EncodedSize()
	}
	buf := make([]byte, 0, size)
	for i := range changes {
		c := changes[i]
		if c.Mtime == 0 {
			c.Mtime = now
		}
		var err error
		if buf, err = c.AppendTo(buf); err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// Set sets a string value.
func (s *Store) Set(path, key, value string) error {
	return s.Apply(format.Change{Op: format.OpSet, Path: path, Key: key, Value: value})
}

// SetList sets a string-list value.
func (s *Store) SetList(path, key string, values []string) error {
	return s.Apply(format.Change{Op: format.OpSetList, Path: path, Key: key, List: values})
}

// Unset removes a key.
func (s *Store) Unset(path, key string) error {
	return s.Apply(format.Change{Op: format.OpUnset, Path: path, Key: key})
}

// Remove removes a path and everything under it.
func (s *Store) Remove(path string) error {
	return s.Apply(format.Change{Op: format.OpRemove, Path: path})
}

// Move replaces dst with a copy of src and its subtree, then removes src,
// as two entries published together.
func (s *Store) Move(src, dst string) error {
	return s.Apply(
		format.Change{Op: format.OpCopy, Path: dst, Source: src},
		format.Change{Op: format.OpRemove, Path: src},
	)
}

// Flush merges every journal entry written before the call into the tree,
// and returns once that tree is durable (file and directory fsynced), or
// with the error that kept it from being so.
func (s *Store) Flush() error { return s.flush(false) }

// Compact is Flush, and lays the whole tree out again (as the C builder
// does) if rotations patched it since it last was: what the patches left
// unreachable is gone, and the file is the size the reference's would be.
func (s *Store) Compact() error { return s.flush(true) }

func (s *Store) flush(rewrite bool) error {
	if s.opts.ReadOnly {
		return ErrReadOnly
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.retryLocked(func() error {
		if err := s.flushOnceLocked(rewrite); err != nil {
			return err
		}
		// Another writer without the lock may have appended past what
		// the rotation merged, to the journal it retired: in now too.
		if s.others.adoptRetired() {
			return s.flushOnceLocked(rewrite)
		}
		return nil
	})
}

// flushOnceLocked merges the journal into the tree once; another writer's
// rotation under way makes it fail with errAnotherWriter.
func (s *Store) flushOnceLocked(rewrite bool) error {
	// A rotation under way took a snapshot from before this call, which
	// may miss entries; wait for it, then rotate everything.
	s.waitRotationLocked()
	if err := s.refreshLocked(); err != nil {
		return err
	}
	if err := s.keepNamesLocked(); err != nil {
		return err
	}
	s.others.adoptRetired()
	laidOut := s.tree != nil && len(s.tree.t.Bytes()) == s.rot.plan.laidOut
	if s.journal != nil && s.journal.j.Len() == 0 && !s.others.pending() && s.rot.err == nil && (!rewrite || laidOut) {
		return nil // everything is in a tree whose rotation completed
	}
	if !s.opts.Background {
		return s.rotateLocked(rewrite)
	}
	// Writers keep going while the tree is rebuilt; this call waits for
	// it.
	r := s.startRotationLocked(rewrite)
	if r == nil {
		return ErrClosed
	}
	s.mu.Unlock()
	<-r.done
	s.mu.Lock()
	return r.err
}

// Dirty reports whether the journal holds entries not yet merged into the
// tree.
func (s *Store) Dirty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.journal == nil || s.journal.j.Len() > 0 || s.rot.current != nil || s.others.pending()
}
