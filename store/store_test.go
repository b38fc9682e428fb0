// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gvfs-metadata/format"
)

func openTemp(t *testing.T, opts Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// stepClock is a clock that advances by tick at every reading.
func stepClock(tick time.Duration) func() time.Time {
	var mu sync.Mutex
	t := time.Unix(1_800_000_000, 0)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(tick)
		return t
	}
}

func mustGet(t *testing.T, s *Store, path, key string) (format.KeyValue, bool) {
	t.Helper()
	v, ok, err := s.Get(path, key)
	if err != nil {
		t.Fatal(err)
	}
	return v, ok
}

func TestOpenCreatesPrivateTreeAndJournal(t *testing.T) {
	s, path := openTemp(t, Options{})
	for _, p := range []string{path, s.journal.path} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", p, st.Mode().Perm())
		}
	}
	st, _ := os.Stat(filepath.Dir(path))
	if st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", st.Mode().Perm())
	}
	jst, _ := os.Stat(s.journal.path)
	if jst.Size() != SteadyJournalSize {
		t.Errorf("journal size %d", jst.Size())
	}
	if !strings.HasPrefix(filepath.Base(s.journal.path), "home-") {
		t.Errorf("journal name %s", s.journal.path)
	}
}

func TestReadOnlyOpenOfMissingTreeIsEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := mustGet(t, s, "/x", "k"); ok {
		t.Fatal("value in empty store")
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Fatal("a read-only open must not create anything")
	}
	if err := s.Set("/x", "k", "v"); err != ErrReadOnly {
		t.Fatalf("write to read-only store: %v", err)
	}
}

func TestSetUnsetRemoveMoveThroughJournalAndRotation(t *testing.T) {
	s, _ := openTemp(t, Options{})
	check := func(stage string) {
		t.Helper()
		if v, ok := mustGet(t, s, "/new/f", "k"); !ok || v.Value != "v" {
			t.Errorf("%s: /new/f k = %+v %v", stage, v, ok)
		}
		if v, ok := mustGet(t, s, "/new/f", "l"); !ok || !reflect.DeepEqual(v.List, []string{"a", "b"}) {
			t.Errorf("%s: /new/f l = %+v %v", stage, v, ok)
		}
		if _, ok := mustGet(t, s, "/old/f", "k"); ok {
			t.Errorf("%s: moved source still has data", stage)
		}
		if _, ok := mustGet(t, s, "/gone/child", "k"); ok {
			t.Errorf("%s: removed subtree still has data", stage)
		}
		if _, ok := mustGet(t, s, "/u", "k"); ok {
			t.Errorf("%s: unset key still set", stage)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Set("/old/f", "k", "v"))
	must(s.SetList("/old/f", "l", []string{"a", "b"}))
	must(s.Set("/gone/child", "k", "v"))
	must(s.Remove("/gone"))
	must(s.Set("/u", "k", "v"))
	must(s.Unset("/u", "k"))
	must(s.Move("/old", "/new"))
	check("journal")
	must(s.Flush())
	if st, _ := s.Stats(); st.JournalEntries != 0 {
		t.Fatalf("journal has %d entries after flush", st.JournalEntries)
	}
	check("after rotation")
	s.Close()
	s2, err := Open(s.path, Options{})
	must(err)
	defer s2.Close()
	s = s2
	check("reopened")
}

func TestFullJournalRotatesAndKeepsEverything(t *testing.T) {
	// A second passes at every look at the clock: never a burst, so the
	// journals stay at their steady size.
	s, _ := openTemp(t, Options{Now: stepClock(time.Second)})
	for i := range 2000 {
		if err := s.Set(fmt.Sprintf("/d%d/file%d", i%7, i), "key", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := s.Stats()
	if st.Rotations < 3 {
		t.Fatalf("only %d rotations for 2000 writes into a 32 KiB journal", st.Rotations)
	}
	for i := range 2000 {
		if v, ok := mustGet(t, s, fmt.Sprintf("/d%d/file%d", i%7, i), "key"); !ok || v.Value != fmt.Sprint(i) {
			t.Fatalf("file %d: %+v %v", i, v, ok)
		}
	}
}

func TestEntryLargerThanJournalIsStored(t *testing.T) {
	for _, bg := range []bool{false, true} {
		s, _ := openTemp(t, Options{Background: bg})
		big := strings.Repeat("x", 200_000)
		if err := s.Set("/big", "k", big); err != nil {
			t.Fatalf("background=%v: %v", bg, err)
		}
		// Other processes read files, not this store's memory: the value
		// must be on disk when Set returns.
		r, err := Open(s.path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := mustGet(t, r, "/big", "k"); !ok || v.Value != big {
			t.Fatalf("background=%v: another reader does not see the big value right after Set", bg)
		}
		r.Close()
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		if v, ok := mustGet(t, s, "/big", "k"); !ok || v.Value != big {
			t.Fatalf("background=%v: big value lost (%d bytes)", bg, len(v.Value))
		}
		s.Close()
	}
}

func TestRotationMarksOldTreeAndRemovesOldJournal(t *testing.T) {
	s, path := openTemp(t, Options{})
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	oldJournal := s.journal.path
	f, _ := os.Open(path)
	defer f.Close()
	s.Set("/a", "k", "v")
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	var hdr [12]byte
	f.ReadAt(hdr[:], 0)
	if be.Uint32(hdr[8:]) != format.RotatedMark {
		t.Fatalf("old tree's rotated field = %x", be.Uint32(hdr[8:]))
	}
	if be.Uint32(old[8:]) != 0 {
		t.Fatal("a fresh tree must not be marked rotated")
	}
	if _, err := os.Stat(oldJournal); !os.IsNotExist(err) {
		t.Fatalf("old journal still exists: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v, want the tree and its journal only", names)
	}
}

func TestReaderSeesWriterRotations(t *testing.T) {
	w, path := openTemp(t, Options{})
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w.Set("/a", "k", "1")
	if v, ok := mustGet(t, r, "/a", "k"); !ok || v.Value != "1" {
		t.Fatalf("reader missed a journal entry: %+v %v", v, ok)
	}
	w.Flush()
	w.Set("/a", "k", "2")
	if v, ok := mustGet(t, r, "/a", "k"); !ok || v.Value != "2" {
		t.Fatalf("reader missed the rotation: %+v %v", v, ok)
	}
}

func TestBackgroundRotationCarriesConcurrentWrites(t *testing.T) {
	s, _ := openTemp(t, Options{Background: true})
	m := model{}
	for i := range 5000 {
		p := fmt.Sprintf("/dir%d/f%d", i%13, i%1700)
		v := fmt.Sprint(i)
		if err := s.Set(p, "k", v); err != nil {
			t.Fatal(err)
		}
		m.set(p, "k", format.KeyValue{Value: v})
	}
	for p := range m {
		if got, ok := mustGet(t, s, p, "k"); !ok || got.Value != m[p]["k"].Value {
			t.Fatalf("%s: %+v, want %+v (before flush)", p, got, m[p]["k"])
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stats()
	if st.Rotations == 0 || st.JournalEntries != 0 {
		t.Fatalf("stats after flush: %+v", st)
	}
	for p := range m {
		if got, ok := mustGet(t, s, p, "k"); !ok || got.Value != m[p]["k"].Value {
			t.Fatalf("%s: %+v, want %+v", p, got, m[p]["k"])
		}
	}
}

// TestRandomOperationsAgreeWithModel applies random operation sequences to
// the store and to the model and compares every path after every step,
// with rotations (explicit and from a full journal) along the way.
func TestRandomOperationsAgreeWithModel(t *testing.T) {
	seeds := 30
	if testing.Short() {
		seeds = 5
	}
	for seed := range seeds {
		for _, bg := range []bool{false, true} {
			t.Run(fmt.Sprintf("seed%d-bg%v", seed, bg), func(t *testing.T) {
				runRandomOps(t, uint64(seed), bg)
			})
		}
	}
}

func randomPath(rng *rand.Rand) string {
	depth := 1 + rng.IntN(3)
	parts := make([]string, depth)
	for i := range parts {
		parts[i] = string(rune('a' + rng.IntN(3)))
	}
	if rng.IntN(20) == 0 {
		return "/"
	}
	return "/" + strings.Join(parts, "/")
}

func allPaths() []string {
	out := []string{"/"}
	var rec func(prefix string, depth int)
	rec = func(prefix string, depth int) {
		if depth == 0 {
			return
		}
		for _, c := range "abc" {
			p := prefix + "/" + string(c)
			out = append(out, p)
			rec(p, depth-1)
		}
	}
	rec("", 4)
	return out
}

func runRandomOps(t *testing.T, seed uint64, background bool) {
	rng := rand.New(rand.NewPCG(seed, 7))
	s, path := openTemp(t, Options{Background: background})
	m := model{}
	paths := allPaths()
	keys := []string{"k1", "k2", "emblems"}
	for step := range 300 {
		p := randomPath(rng)
		k := keys[rng.IntN(len(keys))]
		var err error
		var desc string
		switch op := rng.IntN(100); {
		case op < 40:
			v := format.KeyValue{Value: fmt.Sprintf("v%d-%s", step, strings.Repeat("x", rng.IntN(300)))}
			desc = "set " + p
			err = s.Set(p, k, v.Value)
			m.set(p, k, v)
		case op < 55:
			n := rng.IntN(4)
			list := make([]string, n)
			for i := range list {
				list[i] = fmt.Sprintf("i%d", rng.IntN(9))
			}
			desc = "setlist " + p
			err = s.SetList(p, k, list)
			m.set(p, k, format.KeyValue{IsList: true, List: list})
		case op < 65:
			desc = "unset " + p
			err = s.Unset(p, k)
			m.unset(p, k)
		case op < 75:
			desc = "remove " + p
			err = s.Remove(p)
			m.remove(p)
		case op < 90:
			dst := randomPath(rng)
			desc = "move " + p + " " + dst
			err = s.Move(p, dst)
			m.copy(p, dst)
			m.remove(p)
		case op < 95:
			desc = "flush"
			err = s.Flush()
		default:
			desc = "reopen"
			s.Close()
			s, err = Open(path, Options{Background: background})
			t.Cleanup(func() { s.Close() })
		}
		if err != nil {
			t.Fatalf("step %d %s: %v", step, desc, err)
		}
		for _, q := range paths {
			got, err := s.Keys(q)
			if err != nil {
				t.Fatal(err)
			}
			if want := m.keys(q); !reflect.DeepEqual(got, want) {
				t.Fatalf("step %d after %s: keys(%s) = %+v, want %+v", step, desc, q, got, want)
			}
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	root, damage, err := s.Merged()
	if err != nil || damage.Count != 0 {
		t.Fatal(err, damage)
	}
	seen := 0
	var walk func(n *format.Node, p string)
	walk = func(n *format.Node, p string) {
		if len(n.Keys) > 0 {
			seen++
			kvs := n.Keys
			if want := m.keys(p); !reflect.DeepEqual(kvs, want) {
				t.Fatalf("merged %s = %+v, want %+v", p, kvs, want)
			}
		}
		for _, c := range n.Children {
			walk(c, strings.TrimSuffix(p, "/")+"/"+c.Name)
		}
	}
	walk(root, "/")
	if seen != len(m) {
		t.Fatalf("merged tree has %d paths with keys, model %d", seen, len(m))
	}
	_ = time.Second
}

func TestCreateWritesContentAndRefusesExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	root := &format.Node{Children: []*format.Node{{Name: "f", Keys: []format.KeyValue{{Key: "k", Value: "v"}}}}}
	s, err := Create(path, root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := mustGet(t, s, "/f", "k"); !ok || v.Value != "v" {
		t.Fatalf("created tree: %+v %v", v, ok)
	}
	s.Close()
	if _, err := Create(path, root, Options{}); !errors.Is(err, ErrExists) {
		t.Fatalf("second create: %v", err)
	}
}
