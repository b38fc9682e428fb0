package store

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"time"

	"gvfs-metadata/format"
)

// rotationState tracks the rotation in flight and the writes waiting for
// it. Guarded by Store.mu.
type rotationState struct {
	running bool
	done    chan struct{} // closed when the running rotation ends

	// pending holds entries, oldest first, that did not fit in the journal
	// while a rotation ran; they go into the next journal at the swap.
	pending      []byte
	pendingCount int
	// grow makes the next journal larger than the steady size: the
	// journal reached its threshold in a burst, or filled while the
	// rotation ran.
	grow bool

	// flushers counts Flush calls under way; while there are any, every
	// rotation that starts is built at normal priority, since one waits,
	// and one already building at the lowest stops yielding its CPU (its
	// thread's niceness cannot be raised back). Atomic: that rotation's
	// pacer reads it without the lock.
	flushers atomic.Int32
	// normalUntil: the writers' rotations run at normal priority until
	// then, after one at the lowest was starved (starvedRun times in a
	// row).
	normalUntil time.Time
	starvedRun  int

	nextSize int   // size of the next journal
	err      error // why the last rotation failed, nil after a success
	last     time.Time
	count    int
}

// rotation is one rewrite of the tree: the snapshot it starts from and the
// files it produces.
type rotation struct {
	old        *treeFile     // nil when creating the first tree
	background bool          // built without holding the store's lock
	low        bool          // built on a thread of the lowest priority
	pace       *pacer        // and giving its CPU away meanwhile (see pacer.go)
	ran, took  time.Duration // the rebuild's CPU and wall time, when low
	initial    *format.Node  // the content of a tree being created
	entries    []byte        // journal entries merged into the new tree
	merged     int           // how many entries that is
	tag        uint32
	size       int // size of the new journal
	tmpPath    string
	journal    *journalFile
	damage     Damage
	buildTime  time.Duration

	// committed: the new tree is in place (whatever failed after that,
	// finish must still run).
	committed bool
	// pendingMerged(Count): the bytes (entries) of the pending writes the
	// snapshot took.
	pendingMerged      int
	pendingMergedCount int
	outSize            int // bytes of the new tree
	// what finish retires once the new tree is in place
	oldFile        File
	oldJournal     *journalFile
	oldJournalPath string
}

// startRotationLocked snapshots the tree and journal and rebuilds the tree
// in a background goroutine; grow starts the rotation off asking for a
// larger next journal; low builds it on a thread of the lowest priority
// (see priority.go). Called with s.mu held.
func (s *Store) startRotationLocked(grow, low bool) {
	if s.rot.running || s.closed {
		return
	}
	r := s.snapshotLocked()
	r.background = true
	r.low = low
	s.rot.running = true
	s.rot.grow = grow
	done := make(chan struct{})
	s.rot.done = done
	go func() {
		defer close(done)
		err := buildAt(r, s)
		s.mu.Lock()
		if r.low {
			s.noteStarvationLocked(r)
		}
		if err == nil {
			err = s.commitLocked(r)
		}
		if err != nil && !r.committed {
			s.abortLocked(r, err)
		} else if err != nil {
			s.rot.err = err
		}
		s.mu.Unlock()
		if r.committed {
			s.finish(r)
		}
		s.mu.Lock()
		s.rot.running = false
		// Writes carried into the new journal may already make it long for
		// readers; when they do, the next rotation starts now rather than
		// at the next write, which may not come for a while.
		if err == nil && (s.needsRotationLocked() || len(s.rot.pending) > 0) {
			s.startRotationLocked(false, s.lowPriorityLocked())
		}
		big := r.outSize > bigRotation
		if big {
			s.releaseWhenQuietLocked()
		}
		s.mu.Unlock()
		if big {
			collectNow()
		}
	}()
}

// needsRotationLocked reports whether the journal is full enough to start
// a background rotation: three quarters of its size. The quarter left is
// where writes land while the rotation runs; when that proves too little
// (the journal filled meanwhile), the next journal is made larger, up to
// MaxBurstJournal, so a burst rotates less often instead of stacking
// rotations back to back. Readers never walk more than a journal's worth.
func (s *Store) needsRotationLocked() bool {
	if s.journal == nil {
		return false
	}
	used := int(s.journal.j.End()) - format.JournalHeaderSize
	return used > (s.journal.j.Size()-format.JournalHeaderSize)*3/4
}

// rotateLocked runs a whole rotation in the caller, holding s.mu, as the C
// daemon does inside the write that found its journal full.
func (s *Store) rotateLocked() error {
	return s.runLocked(s.snapshotLocked())
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
		s.finish(r)
	} else if err != nil {
		s.abortLocked(r, err)
	}
	return err
}

func (s *Store) snapshotLocked() *rotation {
	r := &rotation{size: max(s.rot.nextSize, s.journalSize())}
	if s.tree != nil {
		r.old = s.tree.acquire()
		r.tag = s.tree.t.Tag()
	}
	for r.tag == 0 || (s.tree != nil && r.tag == s.tree.t.Tag()) {
		r.tag = rand.Uint32()
	}
	// The new tree takes every entry written so far: the journal's and
	// those waiting in memory (copied: the journal's bytes live in its
	// mapping, and writers keep appending to the pending slice).
	var journalEntries []byte
	if s.journal != nil {
		s.journal.j.Refresh()
		r.merged = s.journal.j.Len()
		journalEntries = s.journal.j.EntryBytes(0, r.merged)
	}
	r.entries = make([]byte, 0, len(journalEntries)+len(s.rot.pending))
	r.entries = append(append(r.entries, journalEntries...), s.rot.pending...)
	r.pendingMerged, r.pendingMergedCount = len(s.rot.pending), s.rot.pendingCount
	return r
}

// waitRotation waits for a background rotation to end.
func (s *Store) waitRotation() {
	for {
		s.mu.Lock()
		done := s.rot.done
		running := s.rot.running
		s.mu.Unlock()
		if !running {
			return
		}
		<-done
	}
}

// build merges the snapshot into a new tree file (written to a temporary
// name and fsynced) and creates the new, empty journal. It needs no lock:
// the old tree and the merged journal entries never change.
func (r *rotation) build(s *Store) error {
	start := time.Now()
	data, err := r.rebuildWatched(s)
	if err != nil {
		return err
	}
	r.outSize = len(data)
	tmp, err := s.writeTemp(data, r.pace)
	if err != nil {
		return err
	}
	r.tmpPath = tmp
	r.sizeForCarried(s)
	jpath := journalPath(s.fs, s.path, r.tag, s.nfs, s.opts.RuntimeDir)
	r.journal, err = createJournal(s.fs, jpath, r.tag, r.size)
	r.buildTime = time.Since(start)
	return err
}

// sizeForCarried grows the planned journal when the writes made since the
// snapshot (which the swap carries into it) already fill much of it, so
// that a bigger one need not be made (and fsynced) under the writers' lock
// at the swap.
func (r *rotation) sizeForCarried(s *Store) {
	if r.background {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	carried := len(s.rot.pending) - r.pendingMerged
	if s.journal != nil {
		s.journal.j.Refresh()
		carried += int(s.journal.j.End()) - format.JournalHeaderSize - (len(r.entries) - r.pendingMerged)
	}
	need := format.JournalHeaderSize + carried
	if 2*need > r.size && r.size < MaxBurstJournal {
		r.size = min(roundUp(max(2*need, need+SteadyJournalSize/2), 4096), MaxBurstJournal)
		s.rot.grow = true
	}
}

// newTree merges the snapshot into the bytes of a new tree file: by
// copying the old tree's untouched blocks when it is laid out as the
// builders lay it out, else by decoding all of it into nodes.
func (r *rotation) newTree() ([]byte, error) {
	if r.old != nil && !forceFullRebuild {
		if data, err := rebuild(r.old.t, r.entries, r.tag, r.pace); err == nil {
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
	for off := 0; off < len(r.entries); {
		e, err := format.DecodeEntry(r.entries, uint32(off))
		if err != nil {
			return nil, fmt.Errorf("journal entry vanished during rotation: %w", err)
		}
		c := e.Change()
		apply(root, &c)
		off += int(e.Size)
	}
	return format.Build(root, r.tag), nil
}

// forceFullRebuild makes every rotation decode the whole tree; tests use
// it to compare the two ways of rotating.
var forceFullRebuild = false

// writeTemp writes a complete tree next to the real one and makes it
// durable, so that the rename that publishes it can never expose a torn
// file.
func (s *Store) writeTemp(data []byte, pace *pacer) (string, error) {
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
	err = writePaced(f, data, pace)
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
// old one, makes the rename durable, marks the old tree rotated so that
// every reader reopens, and removes the old journal.
func (s *Store) commitLocked(r *rotation) error {
	if s.tree != r.old {
		return errors.New("tree was reopened during the rotation")
	}
	// Carry what was written since the snapshot, oldest first, as far as
	// the new journal holds it; the rest waits in memory for the next
	// rotation, which starts at once. Readers never walk more than the
	// journal's worth, however fast writes come.
	var carried []byte
	count := 0
	if s.journal != nil {
		s.journal.j.Refresh()
		carried = append(carried, s.journal.j.EntryBytes(r.merged, s.journal.j.Len())...)
		count = s.journal.j.Len() - r.merged
	}
	carried = append(carried, s.rot.pending[r.pendingMerged:]...)
	count += s.rot.pendingCount - r.pendingMergedCount
	fit, fitCount := fitEntries(carried, r.size-format.JournalHeaderSize)
	if fitCount == 0 && count > 0 {
		// An entry larger than the planned journal: make one that holds it
		// with room to spare rather than ever refusing a write.
		r.journal.close()
		s.fs.Remove(r.journal.path)
		r.size = roundUp(format.JournalHeaderSize+int(be.Uint32(carried))+SteadyJournalSize/2, 4096)
		var err error
		if r.journal, err = createJournal(s.fs, r.journal.path, r.tag, r.size); err != nil {
			return err
		}
		fit, fitCount = fitEntries(carried, r.size-format.JournalHeaderSize)
	}
	if fitCount > 0 {
		if err := r.journal.append(carried[:fit], fitCount); err != nil {
			return err
		}
	}
	rest := append([]byte(nil), carried[fit:]...)
	restCount := count - fitCount

	var oldFile File
	if r.old != nil {
		f, err := s.fs.OpenWrite(s.path)
		if err == nil {
			if st, serr := f.Stat(); serr != nil || st.Inode != r.old.inode {
				f.Close()
				return errors.New("tree file was replaced by another writer during the rotation")
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
	// Swap now: from here writes go to the new journal, which the renamed
	// tree names. Making the rename durable and retiring the old files
	// (finish) needs no lock.
	r.oldFile = oldFile
	r.oldJournal = s.journal
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
	s.rot.pending, s.rot.pendingCount = rest, restCount
	if restCount > 0 {
		s.rot.grow = true
	}
	s.rot.nextSize = nextJournalSize(r.size, s.rot.grow)
	s.rot.grow = false
	s.rot.err = nil
	s.rot.last = s.opts.Now()
	s.rot.count++
	if err != nil {
		return fmt.Errorf("reopening the new tree: %w", err)
	}
	s.tree = tree
	return nil
}

// finish completes a committed rotation, in the protocol's order: make
// the rename durable (directory fsync), mark the old tree rotated so that
// every reader reopens, then remove the old journal. It runs after the
// swap and needs no lock: writers already use the new journal.
func (s *Store) finish(r *rotation) {
	if err := s.fs.SyncDir(filepath.Dir(s.path)); err != nil {
		s.opts.Logf("%s: syncing the directory after rotation: %v", s.path, err)
	}
	if r.oldFile != nil {
		var mark [4]byte
		be.PutUint32(mark[:], format.RotatedMark)
		if _, err := r.oldFile.WriteAt(mark[:], format.RotatedOffset); err != nil {
			s.opts.Logf("%s: marking the old tree rotated: %v", s.path, err)
		}
		r.oldFile.Close()
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
}

// fitEntries returns how many bytes and entries of the front of entries
// fit in room bytes, whole entries only.
func fitEntries(entries []byte, room int) (int, int) {
	off, n := 0, 0
	for off+4 <= len(entries) {
		size := int(be.Uint32(entries[off:]))
		if size <= 0 || off+size > len(entries) || off+size > room {
			break
		}
		off += size
		n++
	}
	return off, n
}

// burstWindow: a journal filled this soon after the last swap means a
// write burst (about 300 entries in a second or less).
const burstWindow = time.Second

// inBurstLocked reports whether the journal reached its threshold within
// burstWindow of the last swap: a burst, which a larger next journal takes
// with fewer rotations.
func (s *Store) inBurstLocked() bool {
	return !s.rot.last.IsZero() && s.opts.Now().Sub(s.rot.last) < burstWindow
}

// nextJournalSize sizes the journal after the one just created: bigger
// while writes come in a burst or outrun rotation, back to the steady size
// otherwise.
func nextJournalSize(current int, grow bool) int {
	if !grow {
		return SteadyJournalSize
	}
	return min(max(2*current, SteadyJournalSize), MaxBurstJournal)
}

func roundUp(n, to int) int { return (n + to - 1) / to * to }

// abortLocked undoes a rotation that failed before its rename. The old
// tree and journal stay in use; pending writes wait for the next attempt.
func (s *Store) abortLocked(r *rotation, err error) {
	s.rot.err = err
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
