package main

import (
	"os"
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
// whatever the size of the rest of the heap.
//
// Once calls stop, the garbage is returned to the system. The signals of
// the burst still go out for a second after it, each leaving garbage of
// its own; until they are all out the collector is paced tightly (a few
// percent of the heap, headroom included), so that this garbage is
// collected and reused in place instead of growing the heap again. What
// is left then is returned too.

// gcHeadroom is the size of that allocation.
const gcHeadroom = 32 << 20

// GC percentages: the default, and the tight one while the signals of a
// finished burst go out.
const (
	burstGCPercent = 100
	quietGCPercent = 5
)

// memoryQuiet is how long the daemon must go without a call before the
// garbage of the last burst is returned.
const memoryQuiet = 500 * time.Millisecond

// memory paces the collector for bursts and returns their garbage after.
type memory struct {
	headroom []byte
	quiet    time.Duration
	lastCall *atomic.Int64 // UnixNano of the last call, kept by the daemon
	busy     func() bool   // work under way that still makes garbage (signals to send)
	release  func()
	pace     func(percent int)

	// Written under mu, read without it by called.
	armed atomic.Bool // a check for quiet is scheduled
	tight atomic.Bool // paced tightly (quietGCPercent)

	mu          sync.Mutex // orders the changes of pace
	returnedFor int64      // lastCall when the garbage was last returned
}

func newMemory(lastCall *atomic.Int64, busy func() bool) *memory {
	m := &memory{
		headroom: make([]byte, gcHeadroom),
		quiet:    memoryQuiet,
		lastCall: lastCall,
		busy:     busy,
		release:  debug.FreeOSMemory,
		pace:     func(p int) { debug.SetGCPercent(p) },
	}
	// Whoever sets GOGC knows what they want (or is measuring): the
	// percentage is then left as they set it.
	if os.Getenv("GOGC") != "" {
		m.pace = func(int) {}
	}
	return m
}

// called notes a call, lastCall already set. Cheap on purpose: it runs for
// every call, and only the first after a quiet spell, or during the
// signals after one, does more.
func (m *memory) called() {
	if !m.armed.Load() || m.tight.Load() {
		m.startBurst()
	}
}

func (m *memory) startBurst() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.setTight(false)
	if !m.armed.Load() {
		m.armed.Store(true)
		m.checkAfter(m.quiet)
	}
}

// setTight switches between the burst pacing and the tight one. Called
// with m.mu held.
func (m *memory) setTight(tight bool) {
	if m.tight.Load() == tight {
		return
	}
	m.tight.Store(tight)
	if tight {
		m.pace(quietGCPercent)
	} else {
		m.pace(burstGCPercent)
	}
}

func (m *memory) checkAfter(d time.Duration) {
	time.AfterFunc(d, m.returnIfQuiet)
}

// returnIfQuiet returns the garbage once no call came for the quiet time,
// and once more when the signals of the burst, which make garbage of
// their own, have all gone out.
func (m *memory) returnIfQuiet() {
	m.mu.Lock()
	last := m.lastCall.Load()
	if since := time.Since(time.Unix(0, last)); since < m.quiet {
		m.checkAfter(m.quiet - since)
		m.mu.Unlock()
		return
	}
	// Tight only while the burst's signals go out: a rotation the flush
	// timer starts later, with no call around it, allocates a tree's
	// worth and is better served by the usual pacing.
	busy := m.busy()
	m.setTight(busy)
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
