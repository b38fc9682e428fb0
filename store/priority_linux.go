package store

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// lowerPriority moves the calling goroutine onto a thread of its own that
// the kernel schedules after everything else (nice 10): a background
// rotation then yields the CPU to the daemon answering calls, the bus and
// the clients, instead of making their calls wait. The goroutine never
// unlocks the thread, so the runtime retires the thread when it ends
// rather than reuse it at the lowered priority.
func lowerPriority() {
	runtime.LockOSThread()
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 10)
}
