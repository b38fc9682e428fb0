package main

import (
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/compat/client"
	"gvfs-metadata/compat/session"
)

// The floor daemon is only a fair floor if it does what the protocol asks
// of a Set: answer it, and signal the path a second later. It must also
// refuse what it does not implement rather than pretend to.
func TestFloorDaemonAnswersSetsAndSignalsThem(t *testing.T) {
	session.Require(t)
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
	signals := make(chan *dbus.Signal, 16)
	w.conn.Signal(signals)
	if err := w.conn.AddMatchSignal(dbus.WithMatchInterface(client.Interface), dbus.WithMatchMember("AttributeChanged")); err != nil {
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
	// The connection also gets the bus's own signals (NameAcquired).
	deadline := time.After(5 * time.Second)
	for got := false; !got; {
		select {
		case s := <-signals:
			if s.Name != client.Interface+".AttributeChanged" {
				continue
			}
			got = true
			if len(s.Body) != 2 || s.Body[0] != w.Tree || s.Body[1] != path {
				t.Errorf("AttributeChanged%v, want (%s, %s)", s.Body, w.Tree, path)
			}
			if took := time.Since(start); took < 900*time.Millisecond {
				t.Errorf("AttributeChanged came %v after the Set, want about a second", took)
			}
		case <-deadline:
			t.Fatal("no AttributeChanged within 5 s of the Set")
		}
	}
	err = w.conn.Object(client.BusName, client.ObjectPath).Call(client.Interface+".Remove", 0, bytestring(w.Tree), bytestring(path)).Err
	if err == nil {
		t.Error("Remove succeeded on a daemon that implements only Set and Ping")
	}
}
