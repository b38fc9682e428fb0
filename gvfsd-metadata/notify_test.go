// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"sync"
	"testing"
	"time"
)

type recorder struct {
	mu   sync.Mutex
	sent []string
	at   []time.Time
	now  func() time.Time // time.Now when nil
}

func (r *recorder) emit(tree, path string) { r.record(tree + " " + path) }

// record notes an event and when it happened.
func (r *recorder) record(event string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, event)
	now := time.Now
	if r.now != nil {
		now = r.now
	}
	r.at = append(r.at, now())
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sent...)
}

// handNotifier is a notifier whose deadlines and wake-ups run on a clock
// the test moves (clk.AdvanceAwaiting lets its loop work at each wake-up),
// recording into r at the clock's time.
func handNotifier(delay, tick time.Duration, r *recorder) (*notifier, handClock) {
	clk := newHandClock()
	r.now = clk.Now
	set := clk.Scheduled()
	n := newNotifierOn(clk, delay, tick, r.emit)
	clk.AwaitScheduled(set) // the loop set its first timer and waits
	return n, clk
}

// changeOn is n.changed; a change that wakes n's loop (the first pending)
// waits for it to set its next timer.
func changeOn(clk handClock, n *notifier, tree, path string) {
	wakes := n.pending() == 0
	set := clk.Scheduled()
	n.changed(tree, path)
	if wakes {
		clk.AwaitScheduled(set)
	}
}

func TestNotifierCoalescesPerPathAndRestartsTheDelay(t *testing.T) {
	var r recorder
	n, clk := handNotifier(100*time.Millisecond, 10*time.Millisecond, &r)
	defer n.stop(false)
	start := clk.Now()
	for range 5 {
		changeOn(clk, n, "t", "/a")
		clk.AdvanceAwaiting(40 * time.Millisecond)
	}
	changeOn(clk, n, "t", "/b")
	changeOn(clk, n, "u", "/a")
	clk.AdvanceAwaiting(300 * time.Millisecond)
	got := r.get()
	if len(got) != 3 || got[0] != "t /a" || got[1] != "t /b" || got[2] != "u /a" {
		t.Fatalf("sent %v", got)
	}
	// Five changes 40ms apart: the signal waits 100ms after the last one.
	if d := r.at[0].Sub(start); d < 260*time.Millisecond {
		t.Fatalf("signal for a path changed until %v went out after %v", 160*time.Millisecond, d)
	}
}

func TestNotifierStopSendsOrDropsPending(t *testing.T) {
	for _, send := range []bool{true, false} {
		var r recorder
		n := newNotifier(time.Hour, time.Millisecond, r.emit)
		n.changed("t", "/a")
		n.changed("t", "/b")
		n.stop(send)
		if got := r.get(); (len(got) == 2) != send {
			t.Fatalf("stop(%v) sent %v", send, got)
		}
		n.changed("t", "/c")
		if len(r.get()) > 2 {
			t.Fatal("signal after stop")
		}
	}
}

func TestNotifierSendsDueSignalsInBatchesOfATick(t *testing.T) {
	var r recorder
	n, clk := handNotifier(50*time.Millisecond, 100*time.Millisecond, &r)
	defer n.stop(false)
	changed := make(map[string]time.Time)
	for i := range 20 {
		p := string(rune('a' + i))
		changed["t "+p] = clk.Now()
		changeOn(clk, n, "t", p)
		clk.AdvanceAwaiting(10 * time.Millisecond)
	}
	clk.AdvanceAwaiting(300 * time.Millisecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.sent) != 20 {
		t.Fatalf("sent %d signals, want 20", len(r.sent))
	}
	// 20 deadlines 10 ms apart span two or three ticks: as many wake-ups,
	// not one per signal. None goes out early.
	batches := 1
	for i := 1; i < len(r.at); i++ {
		if r.at[i].Sub(r.at[i-1]) > 5*time.Millisecond {
			batches++
		}
	}
	t.Logf("20 signals in %d batches", batches)
	if batches > 4 {
		t.Errorf("20 signals went out in %d batches, want one per 100 ms tick", batches)
	}
	for i, s := range r.sent {
		if d := r.at[i].Sub(changed[s]); d < 50*time.Millisecond {
			t.Errorf("%s went out %v after its change, before the delay", s, d)
		}
	}
}
