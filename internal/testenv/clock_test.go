// SPDX-License-Identifier: LGPL-2.0-or-later

package testenv

import (
	"slices"
	"testing"
	"time"
)

func TestClockRunsTimersInOrderAtTheirTimes(t *testing.T) {
	start := time.Unix(1000, 0)
	c := NewClock(start)
	var fired []string
	at := func(name string) func() {
		return func() { fired = append(fired, name+"@"+c.Now().Sub(start).String()) }
	}
	c.AfterFunc(30*time.Millisecond, at("b"))
	c.AfterFunc(10*time.Millisecond, func() {
		at("a")()
		c.AfterFunc(5*time.Millisecond, at("a+5")) // set by a timer, due before the end
	})
	c.AfterFunc(time.Second, at("late"))
	c.Advance(100 * time.Millisecond)
	if want := []string{"a@10ms", "a+5@15ms", "b@30ms"}; !slices.Equal(fired, want) {
		t.Errorf("fired %v, want %v", fired, want)
	}
	if got := c.Now().Sub(start); got != 100*time.Millisecond {
		t.Errorf("the clock reads start+%v, want +100ms", got)
	}
	c.Advance(900 * time.Millisecond)
	if len(fired) != 4 || fired[3] != "late@1s" {
		t.Errorf("fired %v, want late@1s last", fired)
	}
}

func TestClockTimersStopAndReset(t *testing.T) {
	c := NewClock(time.Unix(1000, 0))
	fired := 0
	stopped := c.AfterFunc(10*time.Millisecond, func() { fired++ })
	reset := c.AfterFunc(10*time.Millisecond, func() { fired += 10 })
	if !stopped.Stop() || stopped.Stop() {
		t.Error("Stop of a pending timer is not true once, then false")
	}
	if !reset.Reset(50 * time.Millisecond) {
		t.Error("Reset of a pending timer is not true")
	}
	c.Advance(20 * time.Millisecond)
	if fired != 0 {
		t.Errorf("fired %d at 20ms, want nothing: one stopped, one reset to 50ms", fired)
	}
	c.Advance(30 * time.Millisecond)
	if fired != 10 {
		t.Errorf("fired %d at 50ms, want the reset timer's 10", fired)
	}
	if reset.Reset(time.Millisecond) {
		t.Error("Reset of a timer that fired is true")
	}
	c.Advance(time.Millisecond)
	if fired != 20 {
		t.Errorf("fired %d, want the timer reset after firing to fire again", fired)
	}
}
