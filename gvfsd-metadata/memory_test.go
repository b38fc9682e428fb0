// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestMemoryReturnsTheGarbageOfBurstsAndOfTheirSignals(t *testing.T) {
	var log recorder
	var signalsPending atomic.Bool
	d := &daemon{}
	m := &memory{
		quiet:    100 * time.Millisecond,
		lastCall: &d.lastCall,
		busy:     signalsPending.Load,
		release:  func() { log.record("return") },
	}
	d.mem = m
	returns := func(want int) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for len(log.get()) < want && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(3 * m.quiet) // nothing more may follow
		if got := len(log.get()); got != want {
			t.Fatalf("%d returns in all, want %d", got, want)
		}
	}

	// A burst: calls 2 ms apart for 200 ms. Nothing is returned while they
	// come; once they stop, the garbage is.
	for range 100 {
		d.noteCall()
		time.Sleep(2 * time.Millisecond)
	}
	if got := log.get(); len(got) != 0 {
		t.Fatalf("%d returns during a burst, want none", len(got))
	}
	returns(1)

	// A burst whose signals are still going out when the calls stop: one
	// return then, and one more once they are out, however long that
	// takes.
	signalsPending.Store(true)
	d.noteCall()
	returns(2)
	time.Sleep(3 * m.quiet)
	returns(2)
	signalsPending.Store(false)
	returns(3)

	// A call while the signals go out: its garbage is returned its quiet
	// time later although they still go out, and theirs once they are out.
	signalsPending.Store(true)
	d.noteCall()
	returns(4)
	d.noteCall()
	returns(5)
	signalsPending.Store(false)
	returns(6)
}
