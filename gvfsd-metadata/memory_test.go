package main

import (
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"
)

func TestMemoryPacesBurstsAndReturnsTheirGarbage(t *testing.T) {
	var log recorder
	var signalsPending atomic.Bool
	d := &daemon{}
	m := &memory{
		quiet:    100 * time.Millisecond,
		lastCall: &d.lastCall,
		busy:     signalsPending.Load,
		release:  func() { log.record("return") },
		pace: func(p int) {
			switch p {
			case burstGCPercent:
				log.record("burst")
			case quietGCPercent:
				log.record("quiet")
			default:
				log.record("other")
			}
		},
	}
	d.mem = m
	expect := func(want ...string) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for len(log.get()) < len(want) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(3 * m.quiet) // nothing more may follow
		got := log.get()
		if len(got) != len(want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("events %v, want %v", got, want)
			}
		}
	}

	// A burst: calls 2 ms apart for 200 ms. Nothing happens while they
	// come (the pacing is already the burst's); once they stop, the
	// garbage is returned.
	for range 100 {
		d.noteCall()
		time.Sleep(2 * time.Millisecond)
	}
	if got := log.get(); len(got) != 0 {
		t.Fatalf("events during a burst: %v, want none", got)
	}
	expect("return")

	// A burst whose signals are still going out when the calls stop: one
	// return then, tight pacing while they go out, and when they are out,
	// the usual pacing and one more return.
	signalsPending.Store(true)
	d.noteCall()
	expect("return", "quiet", "return")
	signalsPending.Store(false)
	expect("return", "quiet", "return", "burst", "return")

	// A call while the signals go out brings the burst's pacing back at
	// once.
	signalsPending.Store(true)
	d.noteCall()
	expect("return", "quiet", "return", "burst", "return", "quiet", "return")
	d.noteCall()
	if got := log.get(); got[len(got)-1] != "burst" {
		t.Fatalf("events %v: a call did not restore the burst's pacing", got)
	}
	// Its quiet time later the signals are still going out: tight again,
	// and its garbage returned.
	expect("return", "quiet", "return", "burst", "return", "quiet", "return", "burst", "quiet", "return")
	signalsPending.Store(false)
	expect("return", "quiet", "return", "burst", "return", "quiet", "return", "burst", "quiet", "return", "burst", "return")
}

// gcPercent reads the collector's percentage without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestMemoryLeavesAnExplicitGOGCAlone(t *testing.T) {
	defer debug.SetGCPercent(gcPercent())
	debug.SetGCPercent(77)
	t.Setenv("GOGC", "77")
	newMemory(new(atomic.Int64), func() bool { return false }).pace(quietGCPercent)
	if p := gcPercent(); p != 77 {
		t.Errorf("GOGC=77 in the environment, the daemon set %d", p)
	}
	t.Setenv("GOGC", "")
	newMemory(new(atomic.Int64), func() bool { return false }).pace(quietGCPercent)
	if p := gcPercent(); p != quietGCPercent {
		t.Errorf("without GOGC, quiet pacing left %d, want %d", p, quietGCPercent)
	}
}
