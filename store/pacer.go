package store

import (
	"io"
	"sync/atomic"
	"time"
)

// Giving the CPU back during a low-priority rebuild.
//
// The niceness of a rotation's thread decides who gets a CPU when both
// want one, but not how soon a thread that wakes up gets it: the kernel
// lets the thread on a CPU run out its time slice (up to a few
// milliseconds) before a woken thread of higher priority may take the
// CPU. Each Set is a chain of such wake-ups (the client, the bus, the
// daemon, the bus, the client), so on two cores every rebuild stalled the
// chain again and again: at 100k entries, interleaved, Set/Ping 0.89-0.93
// against the floor daemon's 0.96-0.99, although the bus and the client
// spent no more CPU per Set than with the floor. A rebuild at the lowest
// priority therefore gives its CPU away (sched_yield) every few tens of
// microseconds; a woken thread waits at most that long, and when nothing
// waits the yield returns at once. Measured the same way: 0.96-1.04,
// with the same CPU spent (go run ./compat/bench -compare prints both).

// yieldAfter is how long a low-priority rebuild works between yields.
const yieldAfter = 25 * time.Microsecond

// clockEvery is how many steps a pacer takes between looks at the clock:
// a step is a few hundred nanoseconds of work or more.
const clockEvery = 16

// pacer is carried through a rebuild, which calls step between small
// pieces of work. A nil pacer (a rebuild at normal priority) does nothing.
type pacer struct {
	yield func()
	now   func() time.Time
	steps int
	last  time.Time
	// waiters, when above 0, stops the yields: somebody waits for this
	// rebuild.
	waiters *atomic.Int32
}

func newPacer(waiters *atomic.Int32) *pacer {
	return &pacer{yield: yieldCPU, now: time.Now, last: time.Now(), waiters: waiters}
}

// step notes a piece of work done and yields once yieldAfter has passed
// since the last yield.
func (p *pacer) step() {
	if p == nil {
		return
	}
	p.steps++
	if p.steps < clockEvery {
		return
	}
	p.lap()
}

// lap yields now if yieldAfter has passed since the last yield: for
// pieces of work too large to count in steps.
func (p *pacer) lap() {
	if p == nil {
		return
	}
	p.steps = 0
	if p.waiters != nil && p.waiters.Load() > 0 {
		return
	}
	if now := p.now(); now.Sub(p.last) >= yieldAfter {
		p.yield()
		p.last = p.now()
	}
}

// pacedWrite is the piece a paced write hands the kernel at a time: the
// kernel copies a write whole before another thread gets the CPU, and
// copying 256 KiB takes tens of microseconds. A variable so that tests can
// cut small trees into several writes.
var pacedWrite = 256 << 10

// writePaced writes data at the start of f, in pieces with a lap between
// them when pace is not nil.
func writePaced(f io.WriterAt, data []byte, pace *pacer) error {
	if pace == nil {
		_, err := f.WriteAt(data, 0)
		return err
	}
	for off := 0; off < len(data); off += pacedWrite {
		if _, err := f.WriteAt(data[off:min(off+pacedWrite, len(data))], int64(off)); err != nil {
			return err
		}
		pace.lap()
	}
	return nil
}

// copyPaced copies the first n bytes of src to dst in the kernel, in
// pieces with a lap between them when pace is not nil.
func copyPaced(fsys FS, dst, src File, n int, pace *pacer) error {
	if pace == nil {
		return fsys.CopyRange(dst, src, 0, int64(n))
	}
	for off := 0; off < n; off += pacedWrite {
		if err := fsys.CopyRange(dst, src, int64(off), int64(min(pacedWrite, n-off))); err != nil {
			return err
		}
		pace.lap()
	}
	return nil
}

// yieldCPU gives the calling thread's CPU to any thread waiting for it; a
// variable so that tests can count the yields.
var yieldCPU = giveAwayCPU
