// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/internal/gioinfo"
)

// userScenario is what a user does with metadata through gio (as Nautilus
// and every GTK file chooser do through GIO): set, list-set and unset keys,
// move, rename, copy, trash and remove files and directories with children,
// with names holding spaces and bytes that are not UTF-8. It returns the
// files to look at afterwards and what each gio command printed or failed.
func userScenario(w *world) (look []string, outcomes []string) {
	w.files("a.txt", "spaced name.txt", "caf\xe9 \xff.txt", "dir/x", "dir/sub/y", "trash me.txt", "ren.txt", "copysrc.txt")
	steps := [][]string{
		{"set", "~/a.txt", "metadata::k", "v"},
		{"set", "-t", "stringv", "~/a.txt", "metadata::emblems", "one", "two words"},
		{"set", "~/spaced name.txt", "metadata::annotation", "note é"},
		{"set", "~/caf\xe9 \xff.txt", "metadata::k", "non-utf8 name"},
		{"set", "~/dir", "metadata::d", "on the directory"},
		{"set", "~/dir/x", "metadata::k", "x"},
		{"set", "-t", "stringv", "~/dir/sub/y", "metadata::emblems", "e1"},
		{"set", "~/ren.txt", "metadata::k", "renamed"},
		{"set", "~/copysrc.txt", "metadata::k", "copied?"},
		{"set", "~/trash me.txt", "metadata::k", "trashed"},
		{"set", "-t", "unset", "~/a.txt", "metadata::k"},
		{"set", "-t", "unset", "~/a.txt", "metadata::never-set"},
		{"move", "~/dir", "~/moved"},
		{"rename", "~/ren.txt", "renamed.txt"},
		{"copy", "--preserve", "~/copysrc.txt", "~/copydst.txt"},
		{"trash", "~/trash me.txt"},
		{"remove", "~/moved/sub/y"},
		{"remove", "~/moved/sub"},
		{"set", "~/moved/x", "metadata::after", "move"},
		{"info", "-a", "metadata::*", "~/does-not-exist"},
	}
	for _, s := range steps {
		out, err := w.gio(append([]string(nil), s...)...)
		o := strings.Join(s, " ")
		if err != nil {
			// The error text holds temporary paths; keep its last part.
			msg := err.Error()
			msg = msg[strings.LastIndex(msg, ":")+1:]
			o += " -> error:" + strings.TrimSpace(msg)
		} else if s[0] != "info" {
			o += " -> ok " + strings.ReplaceAll(out, w.s.Root, "ROOT")
		}
		outcomes = append(outcomes, o)
	}
	w.files("dir/x", "dir/sub/y", "moved/sub/y", "ren.txt", "trash me.txt")
	look = []string{"", "a.txt", "spaced name.txt", "caf\xe9 \xff.txt", "dir", "dir/x", "dir/sub/y", "moved", "moved/x",
		"moved/sub/y", "ren.txt", "renamed.txt", "copysrc.txt", "copydst.txt", "trash me.txt", ".local/share/Trash/files/trash me.txt"}
	return look, outcomes
}

// TestUserScenarioMatchesReference runs the scenario against the reference
// daemon and ours, each activated on its own private bus: gio must show the
// same metadata on every file, every command must end the same way, and the
// same AttributeChanged signals must be sent.
func TestUserScenarioMatchesReference(t *testing.T) {
	type result struct {
		info     []gioinfo.Metadata
		outcomes []string
		signals  []string
	}
	results := map[daemonKind]result{}
	var look []string
	for _, kind := range []daemonKind{reference, ours} {
		w := newWorld(t, kind)
		var outcomes []string
		look, outcomes = userScenario(w)
		results[kind] = result{w.info(look...), outcomes, w.settleSignals()}
	}
	ref, got := results[reference], results[ours]
	for i, f := range look {
		if !maps.Equal(ref.info[i], got.info[i]) {
			t.Errorf("gio info %q: ours %v, reference %v", f, got.info[i], ref.info[i])
		}
	}
	if !reflect.DeepEqual(ref.outcomes, got.outcomes) {
		t.Errorf("gio outcomes differ:\nours:      %q\nreference: %q", got.outcomes, ref.outcomes)
	}
	if !reflect.DeepEqual(ref.signals, got.signals) {
		t.Errorf("AttributeChanged signals differ:\nours:      %q\nreference: %q", got.signals, ref.signals)
	}
	if len(ref.signals) < 10 {
		t.Errorf("reference sent only %d signals: the scenario did not run", len(ref.signals))
	}
	// Sanity: the scenario must have left metadata where it should.
	if ref.info[1]["emblems"] != "[one, two words]" || got.info[8]["after"] != "move" {
		t.Errorf("scenario did not leave the expected metadata: %v %v", ref.info[1], got.info[8])
	}
}

// badCall is a call every daemon must refuse the same way.
type badCall struct {
	name   string
	path   dbus.ObjectPath
	method string
	args   []any
}

// TestErrorsMatchReference sends calls that fail and compares error names
// and messages with the reference's.
func TestErrorsMatchReference(t *testing.T) {
	calls := func(w *world) []badCall {
		unwritable := "/proc/nonexistent/gvfs-metadata/home"
		return []badCall{
			{"set in an uncreatable dir", "/org/gtk/vfs/metadata", "org.gtk.vfs.Metadata.Set", []any{bs(unwritable), bs("/a"), map[string]dbus.Variant{"k": dbus.MakeVariant("v")}}},
			{"remove in an uncreatable dir", "/org/gtk/vfs/metadata", "org.gtk.vfs.Metadata.Remove", []any{bs(unwritable), bs("/a")}},
			{"move in an uncreatable dir", "/org/gtk/vfs/metadata", "org.gtk.vfs.Metadata.Move", []any{bs(unwritable), bs("/a"), bs("/b")}},
			{"wrong argument types", "/org/gtk/vfs/metadata", "org.gtk.vfs.Metadata.Set", []any{"x"}},
			{"missing arguments", "/org/gtk/vfs/metadata", "org.gtk.vfs.Metadata.Remove", []any{bs(w.treefile())}},
			{"unknown method", "/org/gtk/vfs/metadata", "org.gtk.vfs.Metadata.Frobnicate", nil},
			{"unknown interface", "/org/gtk/vfs/metadata", "org.example.Nope.Nope", nil},
			{"unknown object", "/org/gtk/vfs/other", "org.gtk.vfs.Metadata.Set", nil},
			{"ancestor object", "/org/gtk", "org.gtk.vfs.Metadata.Remove", nil},
			{"property get", "/org/gtk/vfs/metadata", "org.freedesktop.DBus.Properties.Get", []any{"org.gtk.vfs.Metadata", "foo"}},
			{"property getall other", "/org/gtk/vfs/metadata", "org.freedesktop.DBus.Properties.GetAll", []any{"org.example.Nope"}},
			{"property set", "/org/gtk/vfs/metadata", "org.freedesktop.DBus.Properties.Set", []any{"org.gtk.vfs.Metadata", "foo", dbus.MakeVariant(1)}},
			{"properties bad args", "/org/gtk/vfs/metadata", "org.freedesktop.DBus.Properties.GetAll", []any{uint32(1)}},
		}
	}
	outcome := func(w *world, c badCall) string {
		err := w.conn.Object("org.gtk.vfs.Metadata", c.path).Call(c.method, 0, c.args...).Err
		if err == nil {
			return "ok"
		}
		if de, ok := err.(dbus.Error); ok {
			msg := fmt.Sprint(de.Body...)
			return de.Name + ": " + strings.ReplaceAll(msg, w.s.Root, "ROOT")
		}
		return err.Error()
	}
	got := map[daemonKind][]string{}
	for _, kind := range []daemonKind{reference, ours} {
		w := newWorld(t, kind)
		for _, c := range calls(w) {
			got[kind] = append(got[kind], c.name+" -> "+outcome(w, c))
		}
	}
	for i := range got[reference] {
		if got[ours][i] != got[reference][i] {
			t.Errorf("ours:      %s\nreference: %s", got[ours][i], got[reference][i])
		}
	}
	if !strings.Contains(got[reference][0], "Code1: Can’t find metadata file /proc/nonexistent") {
		t.Errorf("the reference answered %q: the test is not exercising NOT_FOUND", got[reference][0])
	}
}

// TestIntrospectionMatchesReference compares what introspection says of
// the object and its ancestors, and Peer and Properties answers.
func TestIntrospectionMatchesReference(t *testing.T) {
	ask := func(w *world) []string {
		var out []string
		for _, p := range []dbus.ObjectPath{"/", "/org", "/org/gtk/vfs", "/org/gtk/vfs/metadata", "/org/gtk/vfs/metadata/x"} {
			var xml string
			err := w.conn.Object("org.gtk.vfs.Metadata", p).Call("org.freedesktop.DBus.Introspectable.Introspect", 0).Store(&xml)
			// Drop the comment naming the implementation.
			lines := strings.Split(xml, "\n")
			kept := lines[:0]
			for _, l := range lines {
				if !strings.HasPrefix(l, "<!--") {
					kept = append(kept, l)
				}
			}
			out = append(out, fmt.Sprintf("%s %v\n%s", p, err, strings.Join(kept, "\n")))
		}
		var props map[string]dbus.Variant
		err := w.conn.Object("org.gtk.vfs.Metadata", "/org/gtk/vfs/metadata").Call("org.freedesktop.DBus.Properties.GetAll", 0, "org.gtk.vfs.Metadata").Store(&props)
		out = append(out, fmt.Sprintf("GetAll %v %v", props, err))
		err = w.conn.Object("org.gtk.vfs.Metadata", "/anything").Call("org.freedesktop.DBus.Peer.Ping", 0).Err
		out = append(out, fmt.Sprintf("Ping %v", err))
		var id string
		err = w.conn.Object("org.gtk.vfs.Metadata", "/org/gtk/vfs/metadata").Call("org.freedesktop.DBus.Peer.GetMachineId", 0).Store(&id)
		out = append(out, fmt.Sprintf("GetMachineId %q %v", id, err))
		var tree string
		err = w.conn.Object("org.gtk.vfs.Metadata", "/org/gtk/vfs/metadata").Call("org.gtk.vfs.Metadata.GetTreeFromDevice", 0, uint32(8), uint32(0)).Store(&tree)
		out = append(out, fmt.Sprintf("GetTreeFromDevice %q %v", tree, err))
		return out
	}
	ref := ask(newWorld(t, reference))
	got := ask(newWorld(t, ours))
	for i := range ref {
		if ref[i] != got[i] {
			t.Errorf("ours:\n%s\nreference:\n%s", got[i], ref[i])
		}
	}
}
