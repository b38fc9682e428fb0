//go:build !linux

package store

import "time"

// lowerPriority does nothing where threads cannot be given their own
// priority.
func lowerPriority() {}

// threadCPU is unknown there.
func threadCPU() (time.Duration, bool) { return 0, false }

// giveAwayCPU does nothing there: rotations run at normal priority.
func giveAwayCPU() {}
