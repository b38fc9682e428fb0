// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Garbage during a burst of calls. Each call leaves a little (under 1 KB
// read, answered and signalled), each rotation about its tree's size, and
// the daemon's live heap is small (trees are mapped, not loaded), so with
// the default pacing the collector would run every few megabytes, several
// times a second in a burst on a big tree, each cycle taking a CPU from
// the client and the bus daemon that every call is waiting on. The
// headroom below is a pointer-free allocation that is never touched: it
// costs no resident memory, but the collector counts it as live, so the
// heap may grow by about twice its size in garbage before a cycle,
// whatever the size of the rest of the heap. A GOGC in the environment
// still sets the percentage.
//
// Once calls stop, the garbage is returned to the system, and once more
// when the burst's signals, which go out for a second after it, are all
// out.

// gcHeadroom is the size of that allocation.
const gcHeadroom = 32 << 20

// memoryQuiet is how long the daemon must go without a call before the
// garbage of the last burst is returned.
const memoryQuiet = 500 * time.Millisecond

// memory holds the collector's headroom and returns the garbage of bursts.
type memory struct {
	headroom []byte
	clock    clock
	quiet    time.Duration
	lastCall *atomic.Int64 // UnixNano of the last call, kept by the daemon
	busy     func() bool   // work under way that still makes garbage (signals to send)
	release  func()

	armed atomic.Bool // a check for quiet is scheduled; set under mu

	mu          sync.Mutex
	returnedFor int64 // lastCall when the garbage was last returned
}

func newMemory(lastCall *atomic.Int64, busy func() bool) *memory {
	return &memory{
		headroom: make([]byte, gcHeadroom),
		clock:    realClock{},
		quiet:    memoryQuiet,
		lastCall: lastCall,
		busy:     busy,
		release:  debug.FreeOSMemory,
	}
}

// called notes a call, lastCall already set. Cheap on purpose: it runs for
// every call, and only the first after a quiet spell does more.
func (m *memory) called() {
	if m.armed.Load() {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.armed.Load() {
		m.armed.Store(true)
		m.checkAfter(m.quiet)
	}
}

func (m *memory) checkAfter(d time.Duration) {
	m.clock.AfterFunc(d, m.returnIfQuiet)
}

// returnIfQuiet returns the garbage once no call came for the quiet time,
// and once more when the signals of the burst, which make garbage of
// their own, have all gone out.
func (m *memory) returnIfQuiet() {
	m.mu.Lock()
	last := m.lastCall.Load()
	if since := m.clock.Now().Sub(time.Unix(0, last)); since < m.quiet {
		m.checkAfter(m.quiet - since)
		m.mu.Unlock()
		return
	}
	busy := m.busy()
	// Return what calls left since the last return, and once the signals
	// are out, what they left.
	returnNow := !busy || last != m.returnedFor
	m.returnedFor = last
	if busy {
		m.checkAfter(m.quiet)
	} else {
		m.armed.Store(false)
	}
	m.mu.Unlock()
	// Outside the lock: a call arriving meanwhile must not wait for it.
	if returnNow {
		m.release()
	}
}
