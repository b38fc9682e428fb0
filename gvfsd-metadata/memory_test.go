package main

import (
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memoryLog records what a memory does, in order.
type memoryLog struct {
	mu     sync.Mutex
	events []string
}

func (l *memoryLog) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *memoryLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.events...)
}

func TestMemoryPacesBurstsAndReturnsTheirGarbage(t *testing.T) {
	var log memoryLog
	var signalsPending atomic.Bool
	m := &memory{
		quiet:   20 * time.Millisecond,
		busy:    signalsPending.Load,
		release: func() { log.add("return") },
		pace: func(p int) {
			switch p {
			case burstGCPercent:
				log.add("burst")
			case quietGCPercent:
				log.add("quiet")
			default:
				log.add("other")
			}
		},
	}
	expect := func(want ...string) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for len(log.get()) < len(want) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(60 * time.Millisecond) // nothing more may follow
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

	// A burst: calls 2 ms apart for 100 ms are paced for a burst and
	// nothing is returned while they come.
	for range 50 {
		m.called()
		time.Sleep(2 * time.Millisecond)
	}
	if got := log.get(); len(got) != 1 || got[0] != "burst" {
		t.Fatalf("events during a burst: %v, want [burst]", got)
	}
	expect("burst", "quiet", "return")

	// A burst whose signals are still going out when the calls stop: one
	// return then, one when the signals are out, and no more.
	signalsPending.Store(true)
	m.called()
	expect("burst", "quiet", "return", "burst", "quiet", "return")
	signalsPending.Store(false)
	expect("burst", "quiet", "return", "burst", "quiet", "return", "return")
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
	newMemory(func() bool { return false }).pace(quietGCPercent)
	if p := gcPercent(); p != 77 {
		t.Errorf("GOGC=77 in the environment, the daemon set %d", p)
	}
	t.Setenv("GOGC", "")
	newMemory(func() bool { return false }).pace(quietGCPercent)
	if p := gcPercent(); p != quietGCPercent {
		t.Errorf("without GOGC, quiet pacing left %d, want %d", p, quietGCPercent)
	}
}
