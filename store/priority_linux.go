package store

import (
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// rotationNice is the niceness of a writers' rotation's thread: the
// lowest (see priority.go).
const rotationNice = 19

// lowerPriority moves the calling goroutine onto a thread of its own at
// rotationNice. The goroutine never unlocks the thread, so the runtime
// retires the thread when it ends rather than reuse it at the lowered
// priority.
func lowerPriority() {
	runtime.LockOSThread()
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), rotationNice)
}

// threadCPU is the CPU time the calling thread has used, where the
// calling goroutine is locked to its thread.
func threadCPU() (time.Duration, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}

// giveAwayCPU yields the calling thread's CPU (sched_yield; x/sys/unix
// has no wrapper for it). Through syscall.Syscall, not RawSyscall: the
// runtime then knows the thread is in a system call, and the collector
// can stop the world without waiting for a starved thread to get a CPU
// back (see priority.go).
func giveAwayCPU() { syscall.Syscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }
