package store

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// rotationNice is the niceness of a writers' rotation's thread where the
// idle policy is refused: the lowest.
const rotationNice = 19

// lowerPriority moves the calling goroutine onto a thread of its own that
// the kernel runs only when nothing else wants the CPU (SCHED_IDLE). A
// rotation of a large tree takes tens of milliseconds of CPU; at any
// normal priority it still delayed the daemon answering calls, the bus
// and the clients on a two-core machine: Set/Ping at 100k entries was
// 0.737 at nice 10 and 0.769 at nice 19 (with an earlier bench client).
// Against nice 19, over 15 interleaved rounds at 100k entries, the idle
// policy moved Set/Ping from 0.898 to 0.929 (the floor daemon: 0.97) and
// the 99th percentile of a Set from 0.62-0.80 ms to 0.47-0.56 ms. The
// kernel also counts a CPU running only such a thread as free when it
// wakes the bus or a client. Under a CPU hog a rotation then takes longer, which
// costs nothing but the moment writes past the journal become visible:
// they are answered at once and wait in memory meanwhile. A flush's own
// rotations run at normal priority (see urgency); it waits only for a
// writers' rotation already under way when it starts.
//
// The goroutine never unlocks the thread, so the runtime retires the
// thread when it ends rather than reuse it at the lowered priority.
func lowerPriority() {
	runtime.LockOSThread()
	tid := unix.Gettid()
	_ = unix.Setpriority(unix.PRIO_PROCESS, tid, rotationNice)
	_ = unix.SchedSetAttr(tid, &unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_IDLE, Nice: rotationNice}, 0)
}
