package store

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
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

// A burst that rotation keeps up with still gets larger journals, so that
// it rotates less often; writes spread out bring back the steady size.
func TestJournalGrowsDuringAQuickBurst(t *testing.T) {
	now := time.Unix(1700000000, 0)
	var clock sync.Mutex
	s, err := Open("/home/u/.local/share/gvfs-metadata/home", Options{FS: newMemFS(), Background: true,
		Now: func() time.Time { clock.Lock(); defer clock.Unlock(); return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	advance := func(d time.Duration) { clock.Lock(); now = now.Add(d); clock.Unlock() }
	value := strings.Repeat("v", 100)
	// fill writes n entries, step apart on the clock, letting each
	// rotation finish before the next write: rotation keeps up, the
	// journal never fills.
	fill := func(n int, step time.Duration) {
		t.Helper()
		for i := range n {
			if err := s.Set(fmt.Sprintf("/burst/f%d", i), "k", value); err != nil {
				t.Fatal(err)
			}
			s.waitRotation()
			advance(step)
		}
	}
	fill(1000, 0) // several journals, each filled in no time
	if st, _ := s.Stats(); st.JournalBytes <= SteadyJournalSize {
		t.Fatalf("journal during a quick burst is %d bytes, want more than %d", st.JournalBytes, SteadyJournalSize)
	}
	fill(1000, 10*time.Second) // several journals again, each over minutes
	if st, _ := s.Stats(); st.JournalBytes != SteadyJournalSize {
		t.Fatalf("journal after slow writes is %d bytes, want %d", st.JournalBytes, SteadyJournalSize)
	}
}
