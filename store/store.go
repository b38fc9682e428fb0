// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gvfs-metadata/format"
)

// Options tune a Store. The zero value is a writable store on the real
// file system that rotates inside the write that finds the journal full.
type Options struct {
	FS         FS               // OS{} when nil
	RuntimeDir string           // $XDG_RUNTIME_DIR when empty; holds journals of trees on NFS
	Now        func() time.Time // time.Now when nil
	ReadOnly   bool
	// Background makes rotation run off the writer's path: it starts once
	// the journal reaches its threshold, writes continue into the old
	// journal (and wait, if that fills, for the swap), and everything
	// written meanwhile is carried into the new journal at the swap.
	Background bool
	// Logf receives warnings (damaged trees, failed rotations).
	Logf func(format string, args ...any)
	// JournalSize is the size of new journals in the steady state;
	// SteadyJournalSize when zero. Larger ones cost every reader more.
	JournalSize int
	// StaleAge is how old leftovers of interrupted rotations must be for
	// a writable open to remove them; DefaultStaleAge when zero.
	StaleAge time.Duration
}

// Store is one tree file and its journal.
type Store struct {
	path string
	opts Options
	fs   FS
	nfs  bool

	mu      sync.Mutex
	tree    *treeFile    // nil: no tree file yet (read-only stores only)
	journal *journalFile // nil: missing or unreadable journal
	// closed: Close was called. Nothing rotates from then on: with no
	// tree left to start from, a rotation would write an empty one over
	// the tree on disk.
	closed bool

	rot rotationState
	// others is what the store keeps because other writers share the
	// tree: the one seam through which they enter (see cowriter.go).
	others coWriters
}

// Open opens the tree file at path and its journal. A writable store
// creates the directory (0700), an empty tree and a journal if they do not
// exist; a read-only store of a missing tree is empty.
func Open(path string, opts Options) (*Store, error) {
	s := &Store{path: path, opts: opts}
	s.applyDefaults()
	if err := s.loadLocked(); err != nil {
		return nil, err
	}
	if !opts.ReadOnly {
		s.removeLeftovers()
	}
	return s, nil
}

func (s *Store) applyDefaults() {
	o := &s.opts
	if o.FS == nil {
		o.FS = OS{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RuntimeDir == "" {
		o.RuntimeDir = os.Getenv("XDG_RUNTIME_DIR")
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if o.StaleAge == 0 {
		o.StaleAge = DefaultStaleAge
	}
	s.fs = o.FS
	s.nfs = s.fs.IsNFS(filepath.Dir(s.path))
	s.rot.room = sync.NewCond(&s.mu)
	s.others.path, s.others.logf = s.path, o.Logf
	s.others.readOnly, s.others.nfs = o.ReadOnly, s.nfs
}

// journalSize is the steady size of this store's new journals.
func (s *Store) journalSize() int {
	if s.opts.JournalSize > 0 {
		return s.opts.JournalSize
	}
	return SteadyJournalSize
}

// Path is the tree file's path.
func (s *Store) Path() string { return s.path }

// OnNFS reports whether the tree lives on NFS.
func (s *Store) OnNFS() bool { return s.nfs }

// loadLocked opens tree and journal from disk, creating them for a
// writable store.
func (s *Store) loadLocked() error {
	tree, err := openTree(s.fs, s.path, s.nfs)
	if errors.Is(err, fs.ErrNotExist) {
		if s.opts.ReadOnly {
			return nil
		}
		// Made the way a rotation makes a tree, which leaves the store
		// holding the new tree and journal open.
		return s.createLocked(nil)
	}
	if err != nil {
		return err
	}
	s.tree = tree
	s.rot.plan.laidOut = len(tree.t.Bytes())
	s.rot.plan.threshold = 0 // a journal this store did not plan
	s.openJournalLocked()
	s.others.opened(s.journal)
	if !s.opts.ReadOnly && (s.journal == nil || s.journal.j.Broken() != nil) {
		if err := s.repairJournalLocked(); err != nil {
			// A read-only or full disk: the tree is still there to read,
			// and each write tries again (and is refused until the cause
			// goes), as the C daemon does with a tree it could not give
			// a journal.
			s.opts.Logf("%s: no journal to write to: %v", s.path, err)
			if s.journal != nil && s.journal.j.Broken() != nil {
				s.journal.close()
				s.journal = nil
			}
		}
	}
	return nil
}

// openJournalLocked opens the current tree's journal, or leaves s.journal nil
// when it is missing or unreadable; readers then see the tree alone. On
// NFS, where each machine keeps its own journal, a writable store that
// finds none for a tree another machine wrote makes an empty one.
func (s *Store) openJournalLocked() {
	path := journalPath(s.fs, s.path, s.tree.t.Tag(), s.nfs, s.opts.RuntimeDir)
	j, err := openJournal(s.fs, path, s.tree.t.Tag(), !s.opts.ReadOnly, s.nfs)
	if err != nil && errors.Is(err, fs.ErrNotExist) && s.nfs && !s.opts.ReadOnly {
		j, err = createJournal(s.fs, path, s.tree.t.Tag(), s.journalSize())
	}
	if err == nil {
		s.journal = j
		return
	}
	if !errors.Is(err, fs.ErrNotExist) {
		s.opts.Logf("metadata journal %s unusable: %v", path, err)
	}
}

// repairJournalLocked gives a writable store whose journal is missing,
// unreadable or damaged (what a crash can leave) a fresh one, by rotating:
// the valid entries go into the new tree, and every reader, including one
// that stopped reading at the damage, reopens.
func (s *Store) repairJournalLocked() error {
	if s.journal != nil {
		s.opts.Logf("%s: journal %s damaged, rotating: %v", s.path, s.journal.path, s.journal.j.Broken())
	}
	return s.rotateLocked(false)
}

// createLocked writes the first tree file (with content root, or empty)
// and its journal, through the same steps as a rotation.
func (s *Store) createLocked(root *format.Node) error {
	dir := filepath.Dir(s.path)
	if err := s.fs.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	r := s.snapshotLocked(nil)
	r.snap.initial = root
	return s.runLocked(r)
}

// ErrExists is returned by Create when the tree file already exists.
var ErrExists = errors.New("tree file already exists")

// Create writes a new tree file holding root (keys and children sorted, see
// format.Node.Sort) with an empty journal, and opens it. It refuses to
// replace an existing tree.
func Create(path string, root *format.Node, opts Options) (*Store, error) {
	if opts.ReadOnly {
		return nil, ErrReadOnly
	}
	fsys := opts.FS
	if fsys == nil {
		fsys = OS{}
	}
	if _, err := fsys.Lstat(path); err == nil {
		return nil, fmt.Errorf("%s: %w", path, ErrExists)
	}
	opts.FS = fsys
	s := &Store{path: path, opts: opts, fs: fsys}
	s.applyDefaults()
	if err := s.createLocked(root); err != nil {
		return nil, err
	}
	return s, nil
}

// Close releases the files. It does not flush; call Flush first to merge
// the journal into the tree.
func (s *Store) Close() error {
	// Refuse new work first, then let the rotation under way finish with
	// the files still open.
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.rot.room.Broadcast() // writers waiting for room give up
	s.waitRotationLocked()
	s.others.closing()
	if s.journal != nil {
		s.journal.close()
		s.journal = nil
	}
	if s.tree != nil {
		s.tree.release()
		s.tree = nil
	}
	return nil
}

// refreshLocked reopens tree and journal when another process rotated the
// tree, and picks up journal entries other writers published.
func (s *Store) refreshLocked() error {
	if s.closed {
		return ErrClosed
	}
	if s.tree == nil {
		if s.opts.ReadOnly {
			return s.loadLocked()
		}
		return ErrClosed
	}
	if s.tree.t.Rotated() {
		st, err := s.fs.Lstat(s.path)
		if err == nil && st.Inode != s.tree.inode {
			return s.reloadLocked()
		}
	}
	if s.journal != nil {
		s.journal.j.Refresh()
	}
	return nil
}

// reloadLocked drops the tree and journal, which another writer replaced,
// and opens the ones now in place. What the store must carry into the
// new ones (a journal on NFS no other machine reads, its own changes the
// new tree lacks) is the co-writer seam's (see coWriters.reloading).
func (s *Store) reloadLocked() error {
	old := s.others.reloading(s.journal)
	if s.journal != nil {
		s.journal.close()
		s.journal = nil
	}
	s.tree.release()
	s.tree = nil
	rotations := s.rot.count
	if err := s.loadLocked(); err != nil {
		return err
	}
	s.others.reloaded(s.tree, s.journal, old, s.rot.count != rotations)
	return nil
}

// refreshJournalLocked picks up what other writers appended to the
// current journal (under the tree's lock, for those that take it), and
// lets the co-writer seam account for it.
func (s *Store) refreshJournalLocked() {
	s.journal.j.Refresh()
	s.others.catchUp(s.journal.j)
}
