// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"container/list"
	"sync"
	"time"
)

// notifier coalesces AttributeChanged signals: one per (tree, path), sent
// a fixed delay after the last change to it, so that a burst of writes to
// one file makes one signal. Every change restarts the delay, so pending
// signals are always ordered by deadline and a list kept in that order
// replaces a priority queue.
//
// Signals go out in batches, on the next multiple of tick after their
// deadline: during a burst of writes to distinct files every Set has a
// deadline of its own, and waking for each would cost the daemon a thread
// wake-up per Set, on the CPU the bus and the writing client need. The
// reference batches the same way, on whole seconds.
type notifier struct {
	clock clock
	delay time.Duration
	tick  time.Duration
	emit  func(tree, path string)

	mu      sync.Mutex
	order   *list.List // of *pendingSignal, by deadline
	byKey   map[signalKey]*list.Element
	wake    chan struct{}
	stopped bool
	done    chan struct{}
}

type signalKey struct{ tree, path string }

type pendingSignal struct {
	signalKey
	deadline time.Time
}

// signalTick is how late, at most, a signal goes out after its deadline.
const signalTick = 100 * time.Millisecond

func newNotifier(delay, tick time.Duration, emit func(tree, path string)) *notifier {
	return newNotifierOn(realClock{}, delay, tick, emit)
}

// newNotifierOn is newNotifier with its deadlines and wake-ups on clk.
func newNotifierOn(clk clock, delay, tick time.Duration, emit func(tree, path string)) *notifier {
	n := &notifier{clock: clk, delay: delay, tick: tick, emit: emit, order: list.New(), byKey: map[signalKey]*list.Element{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go n.loop()
	return n
}

// changed records a change to path in tree.
func (n *notifier) changed(tree, path string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped {
		return
	}
	k := signalKey{tree, path}
	deadline := n.clock.Now().Add(n.delay)
	wasEmpty := n.order.Len() == 0
	if e, ok := n.byKey[k]; ok {
		e.Value.(*pendingSignal).deadline = deadline
		n.order.MoveToBack(e)
	} else {
		n.byKey[k] = n.order.PushBack(&pendingSignal{k, deadline})
	}
	// The new deadline is the latest of all, so the loop's timer (set for
	// the earliest, or for this signal's own earlier deadline, when it
	// fires, finds nothing due and waits again) stays right; it only needs
	// waking when it had nothing to wait for. A wake per change would cost
	// a context switch per Set.
	if wasEmpty {
		n.poke()
	}
}

// loop sends the signals that fall due, one wake-up per tick: each turn
// sends what is due, sets one timer for the next tick that has any, and
// waits for it or for changed's wake.
func (n *notifier) loop() {
	defer close(n.done)
	for {
		n.mu.Lock()
		if n.stopped {
			n.mu.Unlock()
			return
		}
		var due []signalKey
		now := n.clock.Now()
		wait := time.Hour
		for e := n.order.Front(); e != nil; e = n.order.Front() {
			p := e.Value.(*pendingSignal)
			if p.deadline.After(now) {
				wait = p.deadline.Truncate(n.tick).Add(n.tick).Sub(now)
				break
			}
			due = append(due, p.signalKey)
			n.order.Remove(e)
			delete(n.byKey, p.signalKey)
		}
		n.mu.Unlock()
		for _, k := range due {
			n.emit(k.tree, k.path)
		}
		timer := n.clock.AfterFunc(wait, n.poke)
		<-n.wake
		timer.Stop()
	}
}

// poke wakes the loop, unless a wake is pending already.
func (n *notifier) poke() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// stop ends the notifier. With send, every pending signal goes out now (the
// daemon is handing over to another owner); without, they are dropped
// (the bus is gone).
func (n *notifier) stop(send bool) {
	n.mu.Lock()
	var pending []signalKey
	for e := n.order.Front(); e != nil; e = e.Next() {
		pending = append(pending, e.Value.(*pendingSignal).signalKey)
	}
	n.order.Init()
	clear(n.byKey)
	n.stopped = true
	n.mu.Unlock()
	n.poke()
	<-n.done
	if send {
		for _, k := range pending {
			n.emit(k.tree, k.path)
		}
	}
}

// pending counts signals not sent yet.
func (n *notifier) pending() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.order.Len()
}
