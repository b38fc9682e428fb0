// SPDX-License-Identifier: LGPL-2.0-or-later

package testenv

import (
	"sync"
	"time"
)

// Clock is a clock that moves only when a test advances it, with timers
// that fire on the way, in the caller of Advance. It has the methods of
// the daemon's clock (its package adapts AfterFunc's result type).
type Clock struct {
	mu        sync.Mutex
	now       time.Time
	pending   []*Timer
	scheduled int // timers set (AfterFunc, Reset), in all
}

// Timer is a pending AfterFunc of a Clock.
type Timer struct {
	c  *Clock
	at time.Time
	f  func()
}

// NewClock returns a clock that reads start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc runs f once the clock has been advanced by d.
func (c *Clock) AfterFunc(d time.Duration, f func()) *Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &Timer{c: c, at: c.now.Add(d), f: f}
	c.pending = append(c.pending, t)
	c.scheduled++
	return t
}

// Stop keeps the timer from firing; it reports whether it was pending.
func (t *Timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	return t.c.remove(t)
}

// Reset makes the timer fire d from now; it reports whether it was
// pending.
func (t *Timer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.c.remove(t)
	t.at = t.c.now.Add(d)
	t.c.pending = append(t.c.pending, t)
	t.c.scheduled++
	return was
}

func (c *Clock) remove(t *Timer) bool {
	for i, p := range c.pending {
		if p == t {
			c.pending = append(c.pending[:i], c.pending[i+1:]...)
			return true
		}
	}
	return false
}

// Scheduled counts the timers set so far (AfterFunc and Reset).
func (c *Clock) Scheduled() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.scheduled
}

// AwaitScheduled waits until more than n timers were set in all: a
// goroutine the test woke has set its next one.
func (c *Clock) AwaitScheduled(n int) {
	for c.Scheduled() <= n {
		time.Sleep(50 * time.Microsecond)
	}
}

// Advance moves the clock forward by d, running every timer due on the
// way, in order of when it is due, at its time and in the caller.
// Timers a timer sets run too when they fall due before the end.
func (c *Clock) Advance(d time.Duration) { c.advance(d, false) }

// AdvanceAwaiting is Advance for a goroutine driven by one timer at a
// time, whose timer wakes it and which sets its next timer before it
// waits again: after each timer fires, it waits for the next one to be
// set, so that the goroutine has done its work at the timer's time.
func (c *Clock) AdvanceAwaiting(d time.Duration) { c.advance(d, true) }

func (c *Clock) advance(d time.Duration, await bool) {
	c.mu.Lock()
	end := c.now.Add(d)
	for {
		var next *Timer
		for _, t := range c.pending {
			if !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		c.remove(next)
		c.now = next.at
		set := c.scheduled
		c.mu.Unlock()
		next.f()
		if await {
			c.AwaitScheduled(set)
		}
		c.mu.Lock()
	}
}
