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
