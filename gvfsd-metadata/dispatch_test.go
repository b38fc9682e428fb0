// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"sync"
	"testing"
	"time"

	"gvfs-metadata/bus"
)

func call(serial uint32) *bus.Message {
	return &bus.Message{Header: bus.Header{Type: bus.TypeMethodCall, Member: "Set", Serial: serial}}
}

// TestDispatcherServesInArrivalOrder: calls that arrive before serving
// starts wait, then all calls are served one at a time in the order the
// connection delivered them, and close answers everything taken.
func TestDispatcherServesInArrivalOrder(t *testing.T) {
	var mu sync.Mutex
	var order []uint32
	inFlight := 0
	p := newDispatcher(func(m *bus.Message) {
		mu.Lock()
		inFlight++
		if inFlight > 1 {
			t.Error("two calls served at once")
		}
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		order = append(order, m.Serial)
		inFlight--
		mu.Unlock()
	})
	for i := range 20 {
		p.take(call(uint32(i)))
	}
	mu.Lock()
	if len(order) != 0 {
		t.Fatal("served before start")
	}
	mu.Unlock()
	p.start()
	for i := 20; i < 200; i++ {
		p.take(call(uint32(i)))
	}
	p.close()
	p.take(call(999))
	mu.Lock()
	defer mu.Unlock()
	if len(order) != 200 {
		t.Fatalf("served %d calls", len(order))
	}
	for i, s := range order {
		if s != uint32(i) {
			t.Fatalf("call %d served at position %d", s, i)
		}
	}
	if p.busy() {
		t.Fatal("busy after close")
	}
}
