package main

import (
	"runtime/debug"
	"sync/atomic"
	"time"
)

// Garbage during a burst of calls. godbus leaves 10-20 KB of garbage per
// call it decodes, and the daemon's live heap is small (trees are mapped,
// not loaded), so with the default pacing the collector would run every
// few hundred calls, dozens of times a second, each cycle taking a CPU
// from the client and the bus daemon that every call is waiting on. The
// headroom below is a pointer-free allocation that is never touched: it
// costs no resident memory, but the collector counts it as live, so the
// heap may grow by about twice its size in garbage before a cycle,
// whatever the size of the rest of the heap. The garbage a burst leaves
// behind is returned to the system once calls and signals have stopped.

// gcHeadroom is the size of that allocation.
const gcHeadroom = 32 << 20

// memoryQuiet is how long the daemon must go without a call before the
// garbage of the last burst is returned.
const memoryQuiet = 500 * time.Millisecond

// memory paces the collector for bursts and returns their garbage after.
type memory struct {
	headroom []byte
	armed    atomic.Bool  // a return is scheduled
	lastCall atomic.Int64 // UnixNano of the last call
	quiet    time.Duration
	busy     func() bool // work under way that still makes garbage (signals to send)
	release  func()
}

func newMemory(busy func() bool) *memory {
	return &memory{headroom: make([]byte, gcHeadroom), quiet: memoryQuiet, busy: busy, release: debug.FreeOSMemory}
}

// called notes a call; the first after a quiet spell schedules a return.
// Cheap on purpose: it runs for every call.
func (m *memory) called() {
	m.lastCall.Store(time.Now().UnixNano())
	if !m.armed.Load() && m.armed.CompareAndSwap(false, true) {
		m.checkAfter(m.quiet, false)
	}
}

func (m *memory) checkAfter(d time.Duration, returned bool) {
	time.AfterFunc(d, func() { m.returnIfQuiet(returned) })
}

// returnIfQuiet returns the garbage once no call came for the quiet time,
// and once more when the signals of the burst, which make garbage of
// their own, have all gone out. returned says the first return is done.
func (m *memory) returnIfQuiet(returned bool) {
	if since := time.Since(time.Unix(0, m.lastCall.Load())); since < m.quiet {
		m.checkAfter(m.quiet-since, false)
		return
	}
	if !returned {
		m.release()
	}
	if m.busy() {
		m.checkAfter(m.quiet, true)
		return
	}
	if returned {
		m.release()
	}
	// A call arriving now finds the flag still set and schedules nothing;
	// its garbage is a call's worth, collected with the next burst's.
	m.armed.Store(false)
}
