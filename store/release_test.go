package store

import (
	"path/filepath"
	"testing"
)

// The memory of a big rotation goes back to the system only once writes
// have stopped: returning it stalls every allocating goroutine, so it
// must not happen in the middle of a burst.
func TestMemoryIsReturnedOnlyOnceWritesStop(t *testing.T) {
	returned := 0
	defer func(f func()) { freeOSMemory = f }(freeOSMemory)
	freeOSMemory = func() { returned++ }

	s, err := Open(filepath.Join(t.TempDir(), "gvfs-metadata", "home"), Options{Background: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.mu.Lock()
	s.releaseWhenQuietLocked()
	s.rel.timer.Stop() // the test plays the timer
	s.mu.Unlock()

	if err := s.Set("/a", "k", "v"); err != nil {
		t.Fatal(err)
	}
	s.releaseIfQuiet() // a write since it was armed: not quiet
	if returned != 0 {
		t.Fatal("memory returned although a write came in the quiet period")
	}
	s.mu.Lock()
	s.rel.timer.Stop()
	s.mu.Unlock()
	s.releaseIfQuiet() // nothing written since: quiet
	if returned != 1 {
		t.Fatalf("memory returned %d times after a quiet period, want 1", returned)
	}
	s.releaseIfQuiet() // a late timer finds nothing armed
	if returned != 1 {
		t.Fatalf("memory returned %d times, want 1", returned)
	}
}
