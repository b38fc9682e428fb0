// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"bytes"
	"errors"
	"fmt"

	"gvfs-metadata/format"
)

// Two desktop sessions of one user (a second seat, a remote session) run a
// daemon each, and both write the trees in the same data directory; on a
// local disk they even append to the same journal. Stores of this package
// in different processes cooperate through an advisory lock on the tree
// file (flock): a write appends to the journal under it, after checking
// under it that the tree was not rotated, and a rotation carries the
// journal's entries into the new one and marks the old tree rotated under
// it. So no write is appended to a journal after another writer's rotation
// carried it, and none is answered and then lost. The C daemon takes no
// lock; with it, an append and its rotation can still race, as between
// two C daemons.
//
// On NFS each process keeps its journal in its own runtime directory, so
// another machine's rotation cannot see this one's entries: they are
// carried into the next write here (see coWriters.reloading).

// errAnotherWriter: another writer rotated the tree or damaged the journal
// under a write, which starts again from the files as they are now.
var errAnotherWriter = errors.New("another writer changed the tree")

// lockTreeLocked takes the lock on the current tree file. If another
// writer rotated the tree before the lock was had, it gives the lock back
// and returns errAnotherWriter: the write starts again from the new tree.
func (s *Store) lockTreeLocked() (unlock func(), err error) {
	if s.tree == nil {
		return func() {}, nil
	}
	f := s.tree.file
	if err := f.Lock(); err != nil {
		return nil, fmt.Errorf("locking %s: %w", s.path, err)
	}
	if s.tree.t.Rotated() {
		// Still current if the name leads to it (a rotation that power
		// loss undid, say): written on, as the C daemon does.
		if st, err := s.fs.Lstat(s.path); err != nil || st.Inode != s.tree.inode {
			f.Unlock()
			return nil, errAnotherWriter
		}
	}
	return func() { f.Unlock() }, nil
}

// repairAfterLocked answers an append that failed: a journal damaged by
// another writer (one that took no lock) is replaced by a rotation, which
// keeps every valid entry, and the write starts again.
func (s *Store) repairAfterLocked(err error) error {
	if s.journal == nil || s.journal.j.Broken() == nil {
		return err
	}
	s.others.sawAnotherWriter()
	s.opts.Logf("%s: journal damaged, rotating: %v", s.path, s.journal.j.Broken())
	if rerr := s.rotateLocked(false); rerr != nil && !errors.Is(rerr, errAnotherWriter) {
		return rerr
	}
	return errAnotherWriter
}

// keepDecodable returns the entries of run (whole entries, as this store
// validated them) that still decode, and their count. A writer without
// the lock appends at its own cursor, over entries others appended after
// it, and its entries need not start where the ones it wrote over did:
// what it cut through no longer decodes, while its own entries and the
// untouched ones do, 4-byte aligned as every entry is. Merging only those
// keeps every entry still there instead of failing the rotation.
func keepDecodable(run []byte) ([]byte, int) {
	n, off := 0, 0
	for off < len(run) {
		e, err := format.DecodeEntry(run, uint32(off))
		if err != nil {
			break
		}
		n++
		off += int(e.Size)
	}
	if off == len(run) {
		return run, n
	}
	out := bytes.Clone(run[:off])
	for off+4 <= len(run) {
		e, err := format.DecodeEntry(run, uint32(off))
		if err != nil {
			off += 4
			continue
		}
		out = append(out, run[off:off+int(e.Size)]...)
		n++
		off += int(e.Size)
	}
	return out, n
}
