//go:build !linux

package store

// giveAwayCPU does nothing where there is no sched_yield.
func giveAwayCPU() {}
