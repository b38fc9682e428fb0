package main

import (
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

func call(serial uint32) *dbus.Message {
	m := &dbus.Message{Type: dbus.TypeMethodCall, Headers: map[dbus.HeaderField]dbus.Variant{}}
	m.Headers[dbus.FieldMember] = dbus.MakeVariant("Set")
	return withSerial(m, serial)
}

// withSerial sets a message's serial through the one API that exposes it.
func withSerial(m *dbus.Message, serial uint32) *dbus.Message {
	m.Headers[dbus.FieldReplySerial] = dbus.MakeVariant(serial)
	return m
}

func serialOf(m *dbus.Message) uint32 { return m.Headers[dbus.FieldReplySerial].Value().(uint32) }

// TestDispatcherServesInArrivalOrder: calls that arrive before serving
// starts wait, then all calls are served one at a time in the order the
// connection delivered them, and close answers everything taken.
func TestDispatcherServesInArrivalOrder(t *testing.T) {
	var mu sync.Mutex
	var order []uint32
	inFlight := 0
	p := newDispatcher(func(m *dbus.Message) {
		mu.Lock()
		inFlight++
		if inFlight > 1 {
			t.Error("two calls served at once")
		}
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		order = append(order, serialOf(m))
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
