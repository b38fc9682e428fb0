//go:build !linux

package store

// lowerPriority does nothing where threads cannot be given their own
// priority.
func lowerPriority() {}
