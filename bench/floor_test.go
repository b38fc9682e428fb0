// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"testing"
	"time"

	"gvfs-metadata/bus"
	"gvfs-metadata/compat/protocol"
	"gvfs-metadata/internal/testenv"
)

// The floor daemon is only a fair floor if it does what the protocol asks
// of a Set: answer it, and signal the path a second later. It must also
// refuse what it does not implement rather than pretend to.
func TestFloorDaemonAnswersSetsAndSignalsThem(t *testing.T) {
	testenv.RequireSession(t)
	bin, err := BuildFloor(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := NewTemplate(t.TempDir(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorld(Daemon{"floor", bin}, tmpl, false)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// A connection of its own, whose reader hands over the signals that do
	// not come from the bus itself (NameAcquired).
	signals := make(chan *bus.Message, 16)
	listener, err := bus.Connect(w.S.Address, bus.Handlers{Signal: func(m *bus.Message) {
		if m.Sender != "org.freedesktop.DBus" {
			signals <- m
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	var match bus.Encoder
	match.Str("type='signal',interface='" + protocol.Interface + "',member='AttributeChanged'")
	if _, err := listener.CallBus("AddMatch", "s", match.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := w.Ping(w.conn); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	path := w.NewPath("floor")
	start := time.Now()
	if err := w.Set(w.conn, path); err != nil {
		t.Fatalf("Set: %v", err)
	}
	deadline := time.After(5 * time.Second)
	select {
	case s := <-signals:
		args := s.Args()
		tree, got := args.Str(), args.Str()
		if s.Member != "AttributeChanged" || s.Signature != "ss" || !args.Done() || tree != w.Tree || got != path {
			t.Errorf("%s.%s(%q, %q) of type %q, want AttributeChanged(%q, %q)", s.Interface, s.Member, tree, got, s.Signature, w.Tree, path)
		}
		if took := time.Since(start); took < 900*time.Millisecond {
			t.Errorf("AttributeChanged came %v after the Set, want about a second", took)
		}
	case <-deadline:
		t.Fatal("no AttributeChanged within 5 s of the Set")
	}
	var remove bus.Encoder
	remove.ByteArray(bytestring(w.Tree))
	remove.ByteArray(bytestring(path))
	if _, err := w.conn.Call(protocol.BusName, protocol.ObjectPath, protocol.Interface, "Remove", "ayay", remove.Bytes()); err == nil {
		t.Error("Remove succeeded on a daemon that implements only Set and Ping")
	}
}
