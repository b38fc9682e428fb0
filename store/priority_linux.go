package store

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// rotationNice is the niceness of a background rotation's thread: the
// lowest. A rotation of a large tree takes tens of milliseconds of CPU,
// and at any higher niceness the kernel still let it delay the daemon
// answering calls, the bus and the clients on a two-core machine
// (Set/Ping at 100k entries, interleaved: 0.737 at nice 10, 0.769 at 19).
// Under a CPU hog a rotation then takes longer, which costs nothing but
// the moment its writes become visible: they are answered at once and
// wait in memory meanwhile.
const rotationNice = 19

// lowerPriority moves the calling goroutine onto a thread of its own that
// the kernel schedules after everything else: a background rotation then
// yields the CPU instead of making calls wait. The goroutine never
// unlocks the thread, so the runtime retires the thread when it ends
// rather than reuse it at the lowered priority.
func lowerPriority() {
	runtime.LockOSThread()
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), rotationNice)
}
