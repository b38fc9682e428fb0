// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"sync/atomic"
	"testing"
	"time"
)

// The daemon's memory timers run on a clock the test moves: what it
// checks is the order of calls, quiet and returns, not how fast the
// machine is.
func TestMemoryReturnsTheGarbageOfBurstsAndOfTheirSignals(t *testing.T) {
	var log recorder
	var signalsPending atomic.Bool
	clk := newHandClock()
	d := &daemon{}
	m := &memory{
		clock:    clk,
		quiet:    100 * time.Millisecond,
		lastCall: &d.lastCall,
		busy:     signalsPending.Load,
		release:  func() { log.record("return") },
	}
	d.mem = m
	// A call's arrival, as noteCall marks it, on the test's clock.
	call := func() {
		d.lastCall.Store(clk.Now().UnixNano())
		m.called()
	}
	returns := func(want int) {
		t.Helper()
		// Long enough for every return due, and for 3 quiet times after
		// the last: nothing more may follow.
		clk.Advance(2*time.Second + 3*m.quiet)
		if got := len(log.get()); got != want {
			t.Fatalf("%d returns in all, want %d", got, want)
		}
	}

	// A burst: calls 2 ms apart for 200 ms. Nothing is returned while they
	// come; once they stop, the garbage is.
	for range 100 {
		call()
		clk.Advance(2 * time.Millisecond)
	}
	if got := log.get(); len(got) != 0 {
		t.Fatalf("%d returns during a burst, want none", len(got))
	}
	returns(1)

	// A burst whose signals are still going out when the calls stop: one
	// return then, and one more once they are out, however long that
	// takes.
	signalsPending.Store(true)
	call()
	returns(2)
	clk.Advance(3 * m.quiet)
	returns(2)
	signalsPending.Store(false)
	returns(3)

	// A call while the signals go out: its garbage is returned its quiet
	// time later although they still go out, and theirs once they are out.
	signalsPending.Store(true)
	call()
	returns(4)
	call()
	returns(5)
	signalsPending.Store(false)
	returns(6)
}
