// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gvfs-metadata/format"
)

// staleWriter writes a tree the way the C daemon (gvfs 1.50.3) does: it
// opens the tree once and never reopens it before writing; it appends to
// the journal it opened at its own cursor, over whatever others appended
// after it, and publishes its own entry count; and its rotation builds
// the tree it opened plus its own entries, renames that in place, marks
// the tree it replaced rotated and removes that tree's journal, then
// opens the tree it wrote.
type staleWriter struct {
	t       *testing.T
	path    string
	base    *format.Node    // the tree it opened, as it will rebuild it
	changes []format.Change // its entries since
	journal *os.File        // open, as the C daemon keeps it mapped
	cursor  int
	count   uint32
}

func openStale(t *testing.T, path string) *staleWriter {
	t.Helper()
	w := &staleWriter{t: t, path: path}
	w.open()
	return w
}

func (w *staleWriter) open() {
	w.t.Helper()
	r, err := Open(w.path, Options{ReadOnly: true})
	if err != nil {
		w.t.Fatal(err)
	}
	defer r.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	w.base, _ = r.viewLocked().merged()
	w.changes = nil
	if w.journal != nil {
		w.journal.Close()
	}
	f, err := os.OpenFile(r.journal.path, os.O_RDWR, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	w.journal = f
	w.t.Cleanup(func() { f.Close() })
	w.cursor = int(r.journal.j.End())
	w.count = uint32(r.journal.j.Len())
}

// set appends a change at the writer's cursor, as the C daemon does.
func (w *staleWriter) set(path, key, value string, mtime time.Time) {
	w.t.Helper()
	w.add(format.Change{Op: format.OpSet, Path: path, Key: key, Value: value, Mtime: uint64(mtime.Unix())})
}

// move appends a move's two entries, as the C daemon does.
func (w *staleWriter) move(src, dst string, mtime time.Time) {
	w.t.Helper()
	w.add(format.Change{Op: format.OpCopy, Path: dst, Source: src, Mtime: uint64(mtime.Unix())})
	w.add(format.Change{Op: format.OpRemove, Path: src, Mtime: uint64(mtime.Unix())})
}

func (w *staleWriter) add(c format.Change) {
	w.t.Helper()
	b, err := c.AppendTo(nil)
	if err != nil {
		w.t.Fatal(err)
	}
	f := w.journal
	if _, err := f.WriteAt(b, int64(w.cursor)); err != nil {
		w.t.Fatal(err)
	}
	w.cursor += len(b)
	w.count++
	var n [4]byte
	be.PutUint32(n[:], w.count)
	if _, err := f.WriteAt(n[:], format.JournalNumEntriesOffset); err != nil {
		w.t.Fatal(err)
	}
	w.changes = append(w.changes, c)
}

// rotate writes the tree it opened plus its own entries in place.
func (w *staleWriter) rotate() {
	w.t.Helper()
	for i := range w.changes {
		replayOnNodes(w.base, &w.changes[i])
	}
	w.base.Sort()
	tag := rand.Uint32()
	tmp := w.path + ".stale"
	if err := os.WriteFile(tmp, format.Build(w.base, tag), 0o600); err != nil {
		w.t.Fatal(err)
	}
	body := make([]byte, format.NewJournalSize)
	copy(body, format.NewJournalHeader(tag, format.NewJournalSize))
	if err := os.WriteFile(format.JournalFilename(w.path, tag), body, 0o600); err != nil {
		w.t.Fatal(err)
	}
	old, err := os.OpenFile(w.path, os.O_RDWR, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	defer old.Close()
	var hdr [16]byte
	if _, err := old.ReadAt(hdr[:], 0); err != nil {
		w.t.Fatal(err)
	}
	if err := os.Rename(tmp, w.path); err != nil {
		w.t.Fatal(err)
	}
	var mark [4]byte
	be.PutUint32(mark[:], format.RotatedMark)
	if _, err := old.WriteAt(mark[:], format.RotatedOffset); err != nil {
		w.t.Fatal(err)
	}
	os.Remove(format.JournalFilename(w.path, be.Uint32(hdr[12:])))
	w.open()
}

// onDisk reads path's key the way a GIO application does, from the files.
func onDisk(t *testing.T, path, p, key string) (string, bool) {
	t.Helper()
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	v, ok := mustGet(t, r, p, key)
	return v.Value, ok
}

func wantOnDisk(t *testing.T, path string, want map[string]string) {
	t.Helper()
	for p, w := range want {
		got, ok := onDisk(t, path, p, "k")
		if w == "" && ok {
			t.Errorf("%s reads %q, want nothing", p, got)
		}
		if w != "" && (!ok || got != w) {
			t.Errorf("%s reads %q (%v), want %q", p, got, ok, w)
		}
	}
}

// TestOwnChangesDroppedByAStaleRotationComeBack: a writer that rotates
// from the tree it opened long ago drops what this store wrote since; the
// store writes its own changes again at its next write or flush, and
// never the other writer's values.
func TestOwnChangesDroppedByAStaleRotationComeBack(t *testing.T) {
	for _, next := range []string{"write", "flush", "read, then flush"} {
		t.Run(next, func(t *testing.T) {
			clock := stepClock(time.Second)
			s, path := openTemp(t, Options{Now: clock})
			c := openStale(t, path)
			c.set("/theirs", "k", "c1", clock())
			c.rotate() // this store sees another writer
			mustSet(t, s, "/mine", "k", "m1")
			if err := s.Unset("/theirs", "gone"); err != nil { // a key only this store touches
				t.Fatal(err)
			}
			mustFlush(t, s)
			c.set("/theirs", "k", "c2", clock())
			c.rotate()
			wantOnDisk(t, path, map[string]string{"/mine": "", "/theirs": "c2"})

			switch next {
			case "write":
				mustSet(t, s, "/later", "k", "l")
			case "flush":
				mustFlush(t, s)
			case "read, then flush":
				mustGet(t, s, "/mine", "k")
				if !s.Dirty() {
					t.Error("after another writer dropped its changes, the store is not dirty")
				}
				mustFlush(t, s)
			}
			wantOnDisk(t, path, map[string]string{"/mine": "m1", "/theirs": "c2"})
			mustFlush(t, s)
			wantOnDisk(t, path, map[string]string{"/mine": "m1", "/theirs": "c2"})

			// Once a tree of the other writer's holds it, it is forgotten.
			c.open() // as when that writer reopens the tree this store wrote
			c.set("/theirs", "k", "c3", clock())
			c.rotate()
			s.Flush()
			s.mu.Lock()
			remembered, restored, shown := s.others.order.Len(), s.others.Restored, s.others.Shown
			s.mu.Unlock()
			if remembered != 0 || restored == 0 || shown == 0 {
				t.Errorf("%d changes still remembered after the other writer's tree holds them all (%d written again, %d forgotten for that)", remembered, restored, shown)
			}
			wantOnDisk(t, path, map[string]string{"/mine": "m1", "/theirs": "c3"})
		})
	}
}

// TestNewerChangeOfAnotherWriterStays: a change of this store's that the
// other writer replaced with a newer one is not written again over it,
// while one it dropped in favour of an older value is.
func TestNewerChangeOfAnotherWriterStays(t *testing.T) {
	clock := stepClock(time.Second)
	s, path := openTemp(t, Options{Now: clock})
	c := openStale(t, path)
	older := clock()
	c.set("/other", "k", "o1", clock())
	c.rotate()
	mustSet(t, s, "/shared", "k", "mine")
	mustSet(t, s, "/dropped", "k", "mine")
	mustFlush(t, s)
	// The other writer's tree: a newer value of one key, an older one of
	// the other (its clock says so), neither of this store's.
	c.set("/shared", "k", "theirs", clock())
	c.set("/dropped", "k", "old", older)
	c.rotate()
	mustFlush(t, s)
	wantOnDisk(t, path, map[string]string{"/shared": "theirs", "/dropped": "mine", "/other": "o1"})
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if !st.CoWriter.Seen || st.CoWriter.Superseded != 1 || st.CoWriter.Restored == 0 {
		t.Errorf("co-writer stats %+v: want another writer seen, 1 change superseded, some restored", st.CoWriter)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.others.Superseded != 1 {
		t.Errorf("%d remembered changes forgotten as replaced by newer ones, want 1", s.others.Superseded)
	}
}

// TestOwnEntriesWrittenOverInTheJournalComeBack: a writer without the
// lock appends over this store's entries in the shared journal, at other
// boundaries; the store's next rotation merges every entry still there
// and writes its own lost ones again.
func TestOwnEntriesWrittenOverInTheJournalComeBack(t *testing.T) {
	clock := stepClock(time.Second)
	s, path := openTemp(t, Options{Now: clock})
	c := openStale(t, path)
	c.set("/theirs/1", "k", "c1", clock()) // seen at this store's next write
	mustSet(t, s, "/mine/1", "k", "m1")
	mustSet(t, s, "/mine/2", "k", "m2")
	// Longer than the entry it lands on: it cuts into the next one too.
	c.set("/theirs/2", "k", "a value longer than this store's entries", clock())
	wantOnDisk(t, path, map[string]string{"/mine/1": "", "/mine/2": ""})
	mustFlush(t, s)
	wantOnDisk(t, path, map[string]string{
		"/mine/1": "m1", "/mine/2": "m2",
		"/theirs/1": "c1", "/theirs/2": "a value longer than this store's entries",
	})
}

// TestEntriesPastThisStoresEndAreNotWrittenOver: a writer without the
// lock that wrote over this store's entries with longer ones ends past
// this store's last entry, under an entry count no larger than this
// store's; the store's next write does not append over them, and every
// entry of both is kept.
func TestEntriesPastThisStoresEndAreNotWrittenOver(t *testing.T) {
	clock := stepClock(time.Second)
	s, path := openTemp(t, Options{Now: clock})
	c := openStale(t, path)
	c.set("/theirs/1", "k", "c1", clock())
	for _, p := range []string{"/mine/1", "/mine/2", "/mine/3"} {
		mustSet(t, s, p, "k", "m")
	}
	long := strings.Repeat("c", 60)
	c.set("/theirs/2", "k", long, clock())
	c.set("/theirs/3", "k", long, clock())
	c.set("/theirs/4", "k", long, clock())
	mustSet(t, s, "/mine/4", "k", "m")
	want := map[string]string{"/theirs/1": "c1", "/theirs/2": long, "/theirs/3": long, "/theirs/4": long, "/mine/4": "m"}
	wantOnDisk(t, path, want)
	mustFlush(t, s)
	for _, p := range []string{"/mine/1", "/mine/2", "/mine/3"} {
		want[p] = "m"
	}
	wantOnDisk(t, path, want)
}

// TestAnAppendWrittenOverBeforeAnySignComesBack: a writer without the lock
// that writes over this store's last append with an entry of the same
// size, publishing the same count, leaves no other sign; the store's next
// write finds its last append gone, writes it again, and moves to a
// journal of its own.
func TestAnAppendWrittenOverBeforeAnySignComesBack(t *testing.T) {
	clock := stepClock(time.Second)
	s, path := openTemp(t, Options{Now: clock})
	c := openStale(t, path)
	mustSet(t, s, "/mine/1", "k", "m1")
	c.set("/them/1", "k", "c1", clock()) // the same size, at the same place
	wantOnDisk(t, path, map[string]string{"/mine/1": "", "/them/1": "c1"})
	mustSet(t, s, "/mine/2", "k", "m2")
	wantOnDisk(t, path, map[string]string{"/mine/1": "m1", "/mine/2": "m2", "/them/1": "c1"})
	// From now on the two write different journals.
	c.set("/them/2", "k", "c2", clock())
	mustSet(t, s, "/mine/3", "k", "m3")
	wantOnDisk(t, path, map[string]string{"/mine/1": "m1", "/mine/2": "m2", "/mine/3": "m3", "/them/1": "c1", "/them/2": "c2"})
	// After its rotation, the journal in place is the other writer's:
	// the store's next write moves to one of its own before appending.
	c.rotate()
	s.mu.Lock()
	s.refreshLocked()
	theirs := s.journal.path
	s.mu.Unlock()
	mustSet(t, s, "/mine/4", "k", "m4")
	s.mu.Lock()
	ours := s.journal.path
	s.mu.Unlock()
	if ours == theirs {
		t.Errorf("the store appends to the journal of the other writer's tree, %s", theirs)
	}
	c.set("/them/3", "k", "c3", clock())
	mustFlush(t, s)
	wantOnDisk(t, path, map[string]string{"/mine/1": "m1", "/mine/2": "m2", "/mine/3": "m3", "/mine/4": "m4", "/them/1": "c1", "/them/2": "c2", "/them/3": "c3"})
}

// TestAppendsToARetiredJournalAreCarried: the other writer goes on
// appending to the journal this store's rotation retired; the store
// carries those entries into its journal with its next write, except
// those that would undo a change or a remove this store made later.
func TestAppendsToARetiredJournalAreCarried(t *testing.T) {
	clock := stepClock(time.Second)
	s, path := openTemp(t, Options{Now: clock})
	c := openStale(t, path)
	early := clock()
	c.set("/theirs/1", "k", "c1", clock())
	mustSet(t, s, "/mine", "k", "m1")
	if err := s.Remove("/removed"); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil { // retires the journal c writes to
		t.Fatal(err)
	}
	c.set("/theirs/2", "k", "c2", clock())
	c.set("/mine", "k", "older than m1", early)
	c.set("/removed/x", "k", "older than the remove", early)
	wantOnDisk(t, path, map[string]string{"/theirs/2": ""})
	mustSet(t, s, "/mine/other", "k", "x")
	wantOnDisk(t, path, map[string]string{"/theirs/1": "c1", "/theirs/2": "c2", "/mine": "m1", "/removed/x": ""})
	// Its rotation holds them: nothing is carried twice.
	c.rotate()
	mustSet(t, s, "/mine/third", "k", "y")
	mustFlush(t, s)
	wantOnDisk(t, path, map[string]string{"/theirs/1": "c1", "/theirs/2": "c2", "/mine": "m1", "/mine/other": "x", "/mine/third": "y"})
}

// TestTakenEntriesAreDroppedAtTheirWritersRotation: entries taken from a
// retired journal and not yet carried are in the other writer's next
// tree; carrying them after it would apply a move twice, and the second
// copy, its source gone, would clear the destination.
func TestTakenEntriesAreDroppedAtTheirWritersRotation(t *testing.T) {
	clock := stepClock(time.Second)
	s, path := openTemp(t, Options{Now: clock})
	c := openStale(t, path)
	c.set("/theirs", "k", "c1", clock())
	c.set("/src/x", "k", "v", clock())
	mustSet(t, s, "/mine", "k", "m1")
	if err := s.Flush(); err != nil { // retires the journal c writes to
		t.Fatal(err)
	}
	c.move("/src", "/dst", clock())
	s.mu.Lock()
	s.others.adoptRetired() // as a write during a rotation of this store's does
	taken := len(s.others.adopted)
	s.mu.Unlock()
	if taken == 0 {
		t.Fatal("nothing taken from the retired journal")
	}
	c.rotate()
	mustSet(t, s, "/mine/2", "k", "m2")
	mustFlush(t, s)
	wantOnDisk(t, path, map[string]string{"/dst/x": "v", "/src/x": "", "/mine": "m1", "/mine/2": "m2", "/theirs": "c1"})
}

// TestRemovedPathsAreNotWrittenAgain: a remove or move forgets what the
// store remembered under the paths it removed or replaced, so a stale
// rotation that drops the remove brings back only the other writer's
// view of them, never this store's older keys there.
func TestRemovedPathsAreNotWrittenAgain(t *testing.T) {
	clock := stepClock(time.Second)
	s, path := openTemp(t, Options{Now: clock})
	c := openStale(t, path)
	c.set("/theirs", "k", "c1", clock())
	c.rotate()
	for _, p := range []string{"/dir/a", "/src/b", "/dst/c"} {
		mustSet(t, s, p, "k", "v")
	}
	if err := s.Remove("/dir"); err != nil {
		t.Fatal(err)
	}
	if err := s.Move("/src", "/dst"); err != nil {
		t.Fatal(err)
	}
	mustFlush(t, s)
	c.set("/theirs", "k", "c2", clock())
	c.rotate()
	mustFlush(t, s)
	wantOnDisk(t, path, map[string]string{"/dir/a": "", "/src/b": "", "/dst/c": "", "/theirs": "c2"})
}

// TestNothingRememberedWithoutAnotherWriter: a store alone on its tree
// keeps nothing of its changes, and retires no journal.
func TestNothingRememberedWithoutAnotherWriter(t *testing.T) {
	for _, background := range []bool{false, true} {
		s, _ := openTemp(t, Options{Background: background, JournalSize: 4096})
		for i := range 2000 {
			mustSet(t, s, filepath.Join("/d", string(rune('a'+i%26))), "k", string(rune('a'+i%7)))
		}
		mustFlush(t, s)
		s.mu.Lock()
		seen, remembered, retired, rotations := s.others.Seen, s.others.order.Len(), len(s.others.retired), s.rot.count
		s.mu.Unlock()
		if rotations < 2 {
			t.Fatalf("background=%v: %d rotations; the test wants several", background, rotations)
		}
		if seen || remembered != 0 || retired != 0 {
			t.Errorf("background=%v: alone on its tree, the store saw another writer (%v), remembers %d changes, watches %d journals", background, seen, remembered, retired)
		}
	}
}

// TestRememberedChangesAreBounded: beyond maxRememberedBytes the oldest
// remembered changes are forgotten, and counted.
func TestRememberedChangesAreBounded(t *testing.T) {
	s, _ := openTemp(t, Options{})
	s.mu.Lock()
	s.others.sawAnotherWriter()
	s.mu.Unlock()
	long := strings.Repeat("v", 1000)
	n := 2*maxRememberedBytes/len(long) + 10
	for i := range n {
		mustSet(t, s, "/p/"+strconv.Itoa(i), "k", long)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.others.bytes > maxRememberedBytes {
		t.Errorf("%d bytes remembered, more than %d", s.others.bytes, maxRememberedBytes)
	}
	if s.others.Dropped == 0 || s.others.Dropped+s.others.order.Len() != n {
		t.Errorf("%d remembered, %d dropped, of %d", s.others.order.Len(), s.others.Dropped, n)
	}
	if newest := s.others.order.Back().Value.(*ownChange); newest.c.Path != "/p/"+strconv.Itoa(n-1) {
		t.Errorf("newest remembered is %s", newest.c.Path)
	}
}

// TestATornEntryLeftByACrashIsNoSignOfAnotherWriter: a writer killed
// between writing an entry and publishing it leaves the entry past the
// last valid one; the next store to open the journal writes over it as
// its own, without taking it for another writer.
func TestATornEntryLeftByACrashIsNoSignOfAnotherWriter(t *testing.T) {
	s, path := openTemp(t, Options{})
	mustSet(t, s, "/a", "k", "1")
	c := format.Change{Op: format.OpSet, Path: "/a/much/longer/path/than/the/next/writes", Key: "k", Value: "never published", Mtime: 1}
	b, _ := c.AppendTo(nil)
	s.mu.Lock()
	s.journal.m.(WritableMapping).WriteAt(b, int64(s.journal.j.End()))
	s.mu.Unlock()
	s.Close()

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 10 {
		mustSet(t, s, "/b", "k", strconv.Itoa(i))
	}
	s.mu.Lock()
	seen, rotations := s.others.Seen, s.rot.count
	s.mu.Unlock()
	if seen || rotations != 0 {
		t.Errorf("after a crash's torn entry, the store saw another writer (%v) and rotated %d times", seen, rotations)
	}
	wantOnDisk(t, path, map[string]string{"/a": "1", "/b": "9"})
}

// TestAChangeIsRememberedBeforeTheRotationItStarts: a write that fills the
// journal starts a rotation right after its append; the rotation must
// know the change, or it would write the key's previous remembered value
// again over it.
func TestAChangeIsRememberedBeforeTheRotationItStarts(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s, path := openTemp(t, Options{Background: true, JournalSize: 4096, Now: func() time.Time { return now }})
	s.mu.Lock()
	s.others.sawAnotherWriter()
	s.mu.Unlock()
	for i := range 200 {
		mustSet(t, s, "/k", "k", strconv.Itoa(i))
		s.waitRotation()
		if got, _ := onDisk(t, path, "/k", "k"); got != strconv.Itoa(i) {
			t.Fatalf("after write %d and the rotation it started, the key holds %s", i, got)
		}
	}
}

// mustSet sets a key through s, failing the test on an error.
func mustSet(t *testing.T, s *Store, path, key, value string) {
	t.Helper()
	if err := s.Set(path, key, value); err != nil {
		t.Fatal(err)
	}
}

// mustFlush flushes s, failing the test on an error.
func mustFlush(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
}
