package store

import "syscall"

// giveAwayCPU yields the calling thread's CPU (sched_yield; x/sys/unix
// has no wrapper for it). Through syscall.Syscall, not RawSyscall: the
// runtime then knows the thread is in a system call, and the collector
// can stop the world without waiting for the thread to get a CPU back.
func giveAwayCPU() { syscall.Syscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }
