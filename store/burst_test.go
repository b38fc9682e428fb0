package store

import (
	"fmt"
	"strings"
	"testing"
)

// TestJournalGrowsOnlyWhileABurstOutrunsRotation holds a background
// rotation at its fsync while writes fill the journal: those writes are
// accepted at once, they are all visible afterwards, the next journal is
// larger (capped), and once rotations keep up again the journal returns to
// its steady 32 KiB.
func TestJournalGrowsOnlyWhileABurstOutrunsRotation(t *testing.T) {
	mfs := newMemFS()
	const tree = "/home/u/.local/share/gvfs-metadata/home"
	s, err := Open(tree, Options{FS: mfs, Background: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hold := make(chan struct{})
	held := make(chan struct{}, 1)
	mfs.beforeSync = func(name string) {
		if strings.HasPrefix(name, tree+".") {
			select {
			case held <- struct{}{}:
			default:
			}
			<-hold
		}
	}
	value := strings.Repeat("v", 100)
	n := 0
	write := func() {
		t.Helper()
		if err := s.Set(fmt.Sprintf("/burst/f%d", n), "k", value); err != nil {
			t.Fatal(err)
		}
		n++
	}
	// Three quarters of a journal (about 180 of these entries) start a
	// rotation, which stops at its fsync.
	for range 200 {
		write()
	}
	<-held
	// Keep writing well past the journal's end while it is held.
	for range 600 {
		write()
	}
	st, _ := s.Stats()
	if st.Pending == 0 {
		t.Fatalf("no writes waited for the rotation: %+v", st)
	}
	close(hold)
	s.waitRotation()
	st, _ = s.Stats()
	if st.JournalBytes <= SteadyJournalSize || st.JournalBytes > MaxBurstJournal {
		t.Fatalf("journal after a burst is %d bytes, want more than %d and at most %d", st.JournalBytes, SteadyJournalSize, MaxBurstJournal)
	}
	for i := range n {
		if v, ok, _ := s.Get(fmt.Sprintf("/burst/f%d", i), "k"); !ok || v.Str != value {
			t.Fatalf("write %d lost in the burst", i)
		}
	}
	// Rotations that keep up bring the journal back to its steady size.
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		write()
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ = s.Stats(); st.JournalBytes != SteadyJournalSize {
		t.Fatalf("journal after the burst settled is %d bytes, want %d", st.JournalBytes, SteadyJournalSize)
	}
}
