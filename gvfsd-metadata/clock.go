// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import "time"

// clock is the time the daemon's timers run on (the flush and close
// timers of trees, the return of garbage): the system's, or in tests one
// the test moves by hand.
type clock interface {
	Now() time.Time
	// AfterFunc runs f once d has passed, as time.AfterFunc does.
	AfterFunc(d time.Duration, f func()) timer
}

// timer is a pending AfterFunc, as *time.Timer has it.
type timer interface {
	Stop() bool
	Reset(d time.Duration) bool
}

// realClock is the system's clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) timer { return time.AfterFunc(d, f) }
