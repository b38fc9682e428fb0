// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"fmt"
	"path/filepath"
)

// Under a running daemon, someone may remove the data directory, the tree
// or its journal, or put something else in their place (rm -rf, a backup
// restored with mv, a second session's daemon). A write appended to a file
// that no longer has its name reaches no reader, and would be answered
// and lost. So before each write a writable store checks that its tree
// and journal still have names (an fstat of each: a file removed or
// replaced has none left), and when they do not:
//   - another tree under the name is carried on from, as after another
//     writer's rotation;
//   - a missing tree, journal or directory is written again from what the
//     store holds, so nothing answered before is lost either;
//   - anything else in the way (a directory, a symlink) fails the write,
//     which is then refused, not answered.

// namesHoldLocked reports whether the tree and journal this store writes
// still have their names. (A directory moved away with them in it goes
// unnoticed: their names then lead nowhere readers look.)
func (s *Store) namesHoldLocked() bool {
	st, err := s.tree.file.Stat()
	if err != nil || st.Links == 0 {
		return false
	}
	if s.journal == nil {
		return true // the write rotates, which makes one
	}
	st, err = s.journal.file.Stat()
	return err == nil && st.Links > 0
}

// keepNamesLocked makes the names lead to this store's files again, as
// described above. Called with s.mu held, before a write.
func (s *Store) keepNamesLocked() error {
	if s.opts.ReadOnly || s.namesHoldLocked() {
		return nil
	}
	s.waitRotationLocked() // whose swap may be what changed the names
	if s.closed || s.tree == nil {
		return ErrClosed
	}
	if s.namesHoldLocked() {
		return nil
	}
	if other, err := openTree(s.fs, s.path, s.nfs); err == nil {
		other.release()
		if other.inode != s.tree.inode {
			// Another writer's rotation, seen between its rename and its
			// mark, or a tree put in place by hand.
			s.opts.Logf("%s: another tree took the name; carrying on from it", s.path)
			return s.reloadLocked()
		}
	}
	s.opts.Logf("%s: the tree or its journal is gone; writing them again", s.path)
	if err := s.fs.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("recreating the metadata directory: %w", err)
	}
	return s.rotateLocked(false)
}
