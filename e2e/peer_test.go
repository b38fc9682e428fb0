// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"errors"
	"fmt"
	"testing"

	"github.com/godbus/dbus/v5"
)

// TestPeerCallsAnswerAsGDBusDoes compares, error name and text, what the
// daemons answer to Peer calls with arguments and to Peer methods that do
// not exist, on the metadata object and elsewhere.
func TestPeerCallsAnswerAsGDBusDoes(t *testing.T) {
	ask := func(w *world) []string {
		var out []string
		for _, path := range []dbus.ObjectPath{"/org/gtk/vfs/metadata", "/elsewhere"} {
			obj := w.conn.Object("org.gtk.vfs.Metadata", path)
			for _, c := range []struct {
				method string
				args   []any
			}{
				{"Ping", []any{"extra"}},
				{"Ping", []any{uint32(1), uint32(2)}},
				{"GetMachineId", []any{"extra"}},
				{"NoSuchMethod", nil},
				{"NoSuchMethod", []any{"x"}},
			} {
				call := obj.Call("org.freedesktop.DBus.Peer."+c.method, 0, c.args...)
				var e dbus.Error
				if errors.As(call.Err, &e) {
					out = append(out, fmt.Sprintf("%s %s%v: %s %v", path, c.method, c.args, e.Name, e.Body))
				} else {
					out = append(out, fmt.Sprintf("%s %s%v: %v %v", path, c.method, c.args, call.Err, call.Body))
				}
			}
		}
		return out
	}
	ref := ask(newWorld(t, reference))
	got := ask(newWorld(t, ours))
	for i := range ref {
		if ref[i] != got[i] {
			t.Errorf("ours:      %s\nreference: %s", got[i], ref[i])
		}
	}
}

// TestAnExecLineEndingInASpaceStillActivates: dbus-daemon passes an empty
// argument for it; the reference ignores it, and so must we, or every GIO
// call of the session fails.
func TestAnExecLineEndingInASpaceStillActivates(t *testing.T) {
	for _, kind := range []daemonKind{reference, ours} {
		w := newWorld(t, kind, "") // "Exec=DAEMON " with the trailing space
		w.files("f")
		w.mustGio("set", "~/f", "metadata::k", "v")
		if got := w.info("f")[0]["k"]; got != "v" {
			t.Errorf("%s: metadata::k = %q after gio set, want \"v\"", kind, got)
		}
	}
}
