package main

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestMemoryIsReturnedWhenCallsStopAndAgainWhenSignalsAreOut(t *testing.T) {
	var returns atomic.Int32
	var signalsPending atomic.Bool
	m := &memory{quiet: 20 * time.Millisecond, busy: signalsPending.Load, release: func() { returns.Add(1) }}
	waitReturns := func(want int32) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for returns.Load() < want && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if got := returns.Load(); got != want {
			t.Fatalf("%d returns, want %d", got, want)
		}
	}

	// A burst: calls 2 ms apart for 100 ms return nothing while they come.
	for range 50 {
		m.called()
		time.Sleep(2 * time.Millisecond)
	}
	if n := returns.Load(); n != 0 {
		t.Fatalf("%d returns in the middle of a burst", n)
	}
	waitReturns(1)

	// A burst whose signals are still going out when the calls stop: one
	// return then, one when the signals are out, and no more.
	signalsPending.Store(true)
	m.called()
	waitReturns(2)
	time.Sleep(100 * time.Millisecond)
	if n := returns.Load(); n != 2 {
		t.Fatalf("%d returns while signals were still pending, want 2", n)
	}
	signalsPending.Store(false)
	waitReturns(3)
	time.Sleep(100 * time.Millisecond)
	if n := returns.Load(); n != 3 {
		t.Fatalf("%d returns with no calls, want 3", n)
	}
}
