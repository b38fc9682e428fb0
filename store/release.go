package store

import (
	"runtime"
	"runtime/debug"
	"time"
)

// Memory after a big rotation. Its garbage is about the new tree's size.
// Collected at once (a concurrent collection, which stops nobody for more
// than a moment), the next rotation of a burst reuses that memory instead
// of growing the heap by another tree. Returning the memory to the system
// is another matter: it hands pages back while holding the heap, which on
// a 1M-entry tree stops every goroutine that allocates, the bus reader
// included, for tens of milliseconds. So that waits until writes have
// stopped for a while.

// bigRotation is the tree size past which the garbage of a rotation is
// returned to the system once the store is quiet.
const bigRotation = 8 << 20

// releaseQuiet is how long the store must go without a write (and without
// a rotation running) before that memory is returned.
const releaseQuiet = 500 * time.Millisecond

// releaseWhenQuietLocked arranges for the memory to be returned once the store
// has been quiet for releaseQuiet. Called with s.mu held.
func (s *Store) releaseWhenQuietLocked() {
	if s.rel.timer != nil {
		return // armed; it looks again when it fires
	}
	s.rel.seen = s.rel.writes
	s.rel.timer = time.AfterFunc(releaseQuiet, s.releaseIfQuiet)
}

func (s *Store) releaseIfQuiet() {
	s.mu.Lock()
	if s.rel.timer == nil { // stopped by Close, or a late call
		s.mu.Unlock()
		return
	}
	if s.rot.running || s.rel.writes != s.rel.seen {
		s.rel.seen = s.rel.writes
		s.rel.timer.Reset(releaseQuiet)
		s.mu.Unlock()
		return
	}
	s.rel.timer = nil
	s.mu.Unlock()
	freeOSMemory()
}

// freeOSMemory is replaced by tests that count the returns.
var freeOSMemory = debug.FreeOSMemory

// collectNow runs a whole collection, blocking only its caller.
func collectNow() { runtime.GC() }

// stopReleaseLocked cancels a pending return at Close.
func (s *Store) stopReleaseLocked() {
	if s.rel.timer != nil {
		s.rel.timer.Stop()
		s.rel.timer = nil
	}
}

// releaseState is guarded by Store.mu.
type releaseState struct {
	writes uint64      // appends so far
	seen   uint64      // appends when the timer was last armed
	timer  *time.Timer // armed; nil when nothing is to be returned
}
