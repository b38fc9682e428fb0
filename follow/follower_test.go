// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// memTree is a Tree held in memory: paths with a value each, moved the
// way the journal moves them (dst's subtree replaced by src's).
type memTree struct {
	mu    sync.Mutex
	vals  map[string]string
	moves []string
}

func newMemTree() *memTree { return &memTree{vals: map[string]string{}} }

func (m *memTree) set(p, v string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vals[p] = v
}

func (m *memTree) get(p string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.vals[p]
}

func (m *memTree) Paths() ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for p := range m.vals {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

func (m *memTree) hasLocked(p string) bool {
	for q := range m.vals {
		if q == p || isUnder(q, p) {
			return true
		}
	}
	return false
}

func (m *memTree) HasMetadata(p string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hasLocked(p), nil
}

func (m *memTree) Follow(src, dst string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.hasLocked(src) {
		return false, nil
	}
	m.moveLocked(src, dst)
	return true, nil
}

func (m *memTree) Forget(p string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for q := range m.vals {
		if q == p || isUnder(q, p) {
			delete(m.vals, q)
		}
	}
	m.moves = append(m.moves, "forget "+p)
	return nil
}

// move is a client's Move call: without metadata at src, dst's is cleared.
func (m *memTree) move(src, dst string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.moveLocked(src, dst)
}

func (m *memTree) moveLocked(src, dst string) {
	m.moves = append(m.moves, src+" -> "+dst)
	moved := map[string]string{}
	for q := range m.vals {
		if q == dst || isUnder(q, dst) {
			delete(m.vals, q)
		}
	}
	for q, v := range m.vals {
		if q == src || isUnder(q, src) {
			moved[dst+q[len(src):]] = v
			delete(m.vals, q)
		}
	}
	for q, v := range moved {
		m.vals[q] = v
	}
}

// fixture is a follower over a memTree whose top is a temporary
// directory.
type fixture struct {
	t    *testing.T
	top  string
	tree *memTree
	f    *Follower
	name string
}

const testGrace = 200 * time.Millisecond

func newFixture(t *testing.T, state string) *fixture {
	t.Helper()
	x := &fixture{t: t, top: t.TempDir(), tree: newMemTree(), name: "/data/gvfs-metadata/home"}
	x.top, _ = filepath.EvalSymlinks(x.top)
	return x.start(state)
}

func (x *fixture) start(state string) *fixture {
	f, err := Start(Config{Grace: testGrace, StateDir: state, Logf: x.t.Logf})
	if err != nil {
		x.t.Fatal(err)
	}
	x.f = f
	x.t.Cleanup(f.Close)
	return x
}

func (x *fixture) path(rel string) string { return filepath.Join(x.top, rel) }

// file creates a file (and its directories) with metadata.
func (x *fixture) file(rel, value string) {
	x.t.Helper()
	x.plain(rel)
	if value != "" {
		x.tree.set("/"+rel, value)
		x.f.Changed(x.name, "/"+rel)
	}
}

// plain creates a file without metadata.
func (x *fixture) plain(rel string) {
	x.t.Helper()
	if err := os.MkdirAll(filepath.Dir(x.path(rel)), 0o755); err != nil {
		x.t.Fatal(err)
	}
	if err := os.WriteFile(x.path(rel), []byte(rel), 0o644); err != nil {
		x.t.Fatal(err)
	}
}

func (x *fixture) mv(from, to string) {
	x.t.Helper()
	if err := os.MkdirAll(filepath.Dir(x.path(to)), 0o755); err != nil {
		x.t.Fatal(err)
	}
	if err := os.Rename(x.path(from), x.path(to)); err != nil {
		x.t.Fatal(err)
	}
}

// settle waits until the follower has nothing pending, read its events,
// and a grace period more has passed.
func (x *fixture) settle() {
	x.t.Helper()
	time.Sleep(testGrace / 2) // the kernel has queued the events
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(testGrace) {
		if s := x.f.Status(); s.Pending == 0 && allReady(s) {
			time.Sleep(testGrace / 2)
			if s := x.f.Status(); s.Pending == 0 {
				return
			}
		}
	}
	x.t.Fatal("the follower did not settle")
}

func allReady(s Status) bool {
	for _, t := range s.Trees {
		if !t.Ready {
			return false
		}
	}
	return true
}

func (x *fixture) follow() {
	x.f.Follow(x.name, x.top, x.tree)
	x.settle()
}

func (x *fixture) want(vals map[string]string) {
	x.t.Helper()
	for p, v := range vals {
		if got := x.tree.get(p); got != v {
			x.t.Errorf("%s has %q, want %q (moves: %s)", p, got, v, strings.Join(x.tree.moves, ", "))
		}
	}
}

func TestRenameBetweenWatchedDirectoriesMovesMetadata(t *testing.T) {
	x := newFixture(t, "")
	x.file("a/one", "1")
	x.file("b/two", "2")
	x.follow()
	x.mv("a/one", "b/uno")
	x.settle()
	x.want(map[string]string{"/a/one": "", "/b/uno": "1", "/b/two": "2"})
	if got := x.f.Status().Followed; got != 1 {
		t.Errorf("followed %d renames, want 1", got)
	}
}

func TestRenamedDirectoryMovesItsSubtreeInOneMove(t *testing.T) {
	x := newFixture(t, "")
	x.file("p/q/r/s.txt", "S")
	x.file("p/t.txt", "T")
	x.follow()
	x.mv("p", "renamed")
	x.settle()
	x.want(map[string]string{"/renamed/q/r/s.txt": "S", "/renamed/t.txt": "T", "/p/t.txt": ""})
	if len(x.tree.moves) != 1 {
		t.Errorf("moves %v, want one", x.tree.moves)
	}
	// The watches moved with the directory: a rename inside it now is
	// seen at its new path.
	x.mv("renamed/q/r/s.txt", "renamed/q/r/s2.txt")
	x.settle()
	x.want(map[string]string{"/renamed/q/r/s2.txt": "S"})
}

func TestRenameOfAFileWithoutMetadataNeverClears(t *testing.T) {
	x := newFixture(t, "")
	x.file("doc", "D")
	x.follow()
	x.plain(".doc.tmp")
	x.mv(".doc.tmp", "doc") // an atomic save
	x.settle()
	x.want(map[string]string{"/doc": "D"})
	if len(x.tree.moves) != 0 {
		t.Errorf("moves %v, want none", x.tree.moves)
	}
}

func TestBackupRenameSaveKeepsMetadataAtTheName(t *testing.T) {
	x := newFixture(t, "")
	x.file("f", "F")
	x.follow()
	x.mv("f", "f~")
	x.plain("f")
	if err := os.Remove(x.path("f~")); err != nil {
		t.Fatal(err)
	}
	x.settle()
	x.want(map[string]string{"/f": "F", "/f~": ""})
	// GLib's save with a backup: the backup stays, a new file is
	// renamed over the name.
	x.mv("f", "f~")
	x.plain(".goutputstream-X")
	x.mv(".goutputstream-X", "f")
	x.settle()
	x.want(map[string]string{"/f": "F", "/f~": ""})
	if got := x.f.Status().KeptAtName; got != 2 {
		t.Errorf("kept at name %d times, want 2", got)
	}
}

func TestSwapThroughATemporaryNameSwapsMetadata(t *testing.T) {
	x := newFixture(t, "")
	x.file("a", "A")
	x.file("b", "B")
	x.follow()
	x.mv("a", "tmp")
	x.mv("b", "a")
	x.mv("tmp", "b")
	x.settle()
	x.want(map[string]string{"/a": "B", "/b": "A", "/tmp": ""})
}

func TestChainOfRenamesCarriesMetadataToTheEnd(t *testing.T) {
	x := newFixture(t, "")
	x.file("d/one", "1")
	x.follow()
	x.mv("d/one", "d/two")
	x.mv("d/two", "d/three")
	x.settle()
	x.want(map[string]string{"/d/one": "", "/d/two": "", "/d/three": "1"})
}

func TestClientMoveOfAFollowedRenameDoesNotClear(t *testing.T) {
	x := newFixture(t, "")
	x.file("m/a", "A")
	x.follow()
	// The client's Move comes first: the follower finds nothing to move.
	x.mv("m/a", "m/b")
	x.tree.move("/m/a", "/m/b")
	x.f.Moved(x.name, "/m/a", "/m/b")
	x.settle()
	x.want(map[string]string{"/m/b": "A"})
	// The follower comes first: the client's Move is recognised.
	x.mv("m/b", "m/c")
	x.settle()
	x.want(map[string]string{"/m/c": "A"})
	if !x.f.FollowedAlready(x.name, "/m/b", "/m/c") {
		t.Error("a followed rename is not recognised when the client's Move of it comes after")
	}
}

func TestMovedOutOfSightAndBackIsFoundByIdentity(t *testing.T) {
	x := newFixture(t, "")
	x.file("seen/a", "A")
	x.plain("away/deep/other")
	x.follow()
	x.mv("seen/a", "away/deep/a") // found by the search near where it left
	x.settle()
	x.want(map[string]string{"/away/deep/a": "A", "/seen/a": ""})
	if got := x.f.Status().FoundAgain; got != 1 {
		t.Errorf("found again %d, want 1", got)
	}
}

func TestAHardLinkIsNeverTakenForTheFile(t *testing.T) {
	x := newFixture(t, "")
	x.file("h/a", "A")
	x.follow()
	if err := os.Link(x.path("h/a"), x.path("h/link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(x.path("h/a")); err != nil {
		t.Fatal(err)
	}
	x.f.Refind([]string{x.top})
	x.settle()
	x.want(map[string]string{"/h/a": "A", "/h/link": ""})
}

func TestRenamesWhileNotRunningAreFoundAtStart(t *testing.T) {
	state := t.TempDir()
	x := newFixture(t, state)
	x.file("r/a", "A")
	x.file("r/dir/b", "B")
	x.follow()
	x.f.Close()
	if _, err := os.Stat(StateFile(state, x.name)); err != nil {
		t.Fatalf("no state file written at close: %v", err)
	}
	x.mv("r/a", "r/a2")
	x.mv("r/dir", "r/dir2")
	x.plain("r/a") // another file took the name
	x.start(state)
	x.follow()
	x.want(map[string]string{"/r/a2": "A", "/r/dir2/b": "B", "/r/a": "", "/r/dir/b": ""})
}

func TestAtomicSaveWhileNotRunningKeepsMetadataAtTheName(t *testing.T) {
	state := t.TempDir()
	x := newFixture(t, state)
	x.file("s/doc", "D")
	x.follow()
	x.f.Close()
	x.plain("s/.tmp")
	x.mv("s/.tmp", "s/doc")
	x.start(state)
	x.follow()
	x.want(map[string]string{"/s/doc": "D"})
	if s := x.f.Status(); s.Trees[0].Unfound != 0 {
		t.Errorf("%d unfound after a save, want 0", s.Trees[0].Unfound)
	}
	// and the new file is the one followed now
	x.mv("s/doc", "s/doc2")
	x.settle()
	x.want(map[string]string{"/s/doc2": "D"})
}

func TestDeletedFilesKeepTheirMetadataAndCountAsUnfound(t *testing.T) {
	x := newFixture(t, "")
	x.file("del/a", "A")
	x.file("keep/b", "B")
	x.follow()
	if err := os.RemoveAll(x.path("del")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(rescanDelay + testGrace)
	x.settle()
	x.want(map[string]string{"/del/a": "A"})
	s := x.f.Status()
	if s.Trees[0].Unfound != 1 {
		t.Errorf("%d unfound, want 1", s.Trees[0].Unfound)
	}
}

func TestWatchesCoverEveryDirectoryWithMetadataAndItsParents(t *testing.T) {
	x := newFixture(t, "")
	for i := 0; i < 5; i++ {
		x.file(fmt.Sprintf("w/d%d/f", i), "v")
	}
	x.follow()
	// top, w, and d0..d4
	if got := x.f.Status().Watches; got != 7 {
		t.Errorf("%d watches, want 7", got)
	}
}

func TestShuffleOfNamesWithinTheGraceLosesNothing(t *testing.T) {
	x := newFixture(t, "")
	x.file("A/a", "A")
	x.file("A/c", "C")
	x.follow()
	// a leaves, c takes a's name through a temporary one.
	x.mv("A/a", "A/b")
	x.mv("A/c", "A/tmp")
	x.mv("A/tmp", "A/a")
	x.settle()
	x.want(map[string]string{"/A/a": "C", "/A/b": "A", "/A/c": "", "/A/tmp": ""})
}

func TestSwapThroughAnotherDirectoryWithinTheGraceSwapsMetadata(t *testing.T) {
	x := newFixture(t, "")
	x.file("B/p", "P")
	x.file("B/q", "Q")
	x.file("Y/marker", "M")
	x.follow()
	x.mv("B/p", "Y/q")
	x.mv("B/q", "Y/p")
	x.mv("Y/p", "B/p")
	x.mv("Y/q", "B/q")
	x.settle()
	// B/p is q's file now, B/q p's.
	x.want(map[string]string{"/B/p": "Q", "/B/q": "P", "/Y/p": "", "/Y/q": ""})
}

func TestRenameRightAfterASetInANewDirectoryIsFollowed(t *testing.T) {
	x := newFixture(t, "")
	x.file("first/f", "F")
	x.follow()
	for i := 0; i < 20; i++ {
		rel := fmt.Sprintf("new%02d/f", i)
		x.file(rel, fmt.Sprint(i)) // Changed returns once the directory is watched
		x.mv(rel, rel+"-renamed")
	}
	x.settle()
	for i := 0; i < 20; i++ {
		rel := fmt.Sprintf("/new%02d/f", i)
		x.want(map[string]string{rel + "-renamed": fmt.Sprint(i), rel: ""})
	}
}

func TestStatusAnswersWhileTheFollowerIsBusy(t *testing.T) {
	x := newFixture(t, "")
	x.file("s/a", "A")
	x.follow()
	first := x.f.Status()
	if first.Busy || first.Trees[0].Entries != 1 {
		t.Fatalf("an idle follower's status: %+v", first)
	}
	block := make(chan struct{})
	x.tree.mu.Lock() // the loop blocks in the tree on the next rename
	go func() {
		defer close(block)
		x.mv("s/a", "s/b")
		time.Sleep(testGrace * 3)
		s := x.f.Status()
		if !s.Busy || s.Trees[0].Entries != 1 {
			t.Errorf("a busy follower's status: %+v; want the last one, marked busy", s)
		}
	}()
	<-block
	x.tree.mu.Unlock()
	x.settle()
	x.want(map[string]string{"/s/b": "A"})
}

// rescanNow has the loop scan every tree now, for tests.
func (f *Follower) rescanNow() { f.ask(note{kind: noteRescan}) }

func TestTheTopItselfMayHaveMetadata(t *testing.T) {
	x := newFixture(t, "")
	x.tree.set("/", "TOP")
	x.file("a", "A")
	x.follow()
	x.mv("a", "b")
	x.settle()
	x.want(map[string]string{"/": "TOP", "/b": "A"})
	if s := x.f.Status(); s.Trees[0].Entries != 2 {
		t.Errorf("status: %+v; want the top and b", s)
	}
}
