// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/format"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
	"gvfs-metadata/store"
)

// TestErrorsComeInTheSessionsLanguage: the reference sends its GIO errors
// through the installed gvfs catalogue, in the daemon's language; ours
// must send the same text for the same failing calls. (C.UTF-8 is the
// only locale a fresh Debian has besides C; with it, gettext follows
// LANGUAGE.)
func TestErrorsComeInTheSessionsLanguage(t *testing.T) {
	testenv.RequireSession(t)
	for _, env := range [][]string{
		{"LANG=C.UTF-8", "LANGUAGE=de"},
		{"LANG=C.UTF-8", "LANGUAGE=fr:de"},
		{"LC_ALL=C.UTF-8", "LANGUAGE=pt_BR"},
		{"LANG=C.UTF-8"},
	} {
		var got [2][]string
		for _, kind := range []daemonKind{reference, ours} {
			opts := session.Options{DaemonEnv: env}
			if kind == ours {
				opts.Daemon = ourDaemon
			}
			s, err := session.Start(opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			obj, conn := metadataClient(t, s)
			dir := filepath.Join(s.DataHome, "gvfs-metadata")
			// A read-only data directory holding a tree: every write
			// fails, each with its own message.
			mountTmpfs(t, dir, 1<<20)
			st, err := store.Create(filepath.Join(dir, "home"), &format.Node{Name: "/"}, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			remount(t, dir, "ro")
			home := bs(filepath.Join(dir, "home"))
			for _, call := range []struct {
				method string
				args   []any
			}{
				{"Set", []any{home, bs("/f"), map[string]dbus.Variant{"k": dbus.MakeVariant("v")}}},
				{"Set", []any{home, bs("/f"), map[string]dbus.Variant{"k": dbus.MakeVariant(byte(0))}}},
				{"Remove", []any{home, bs("/f")}},
				{"Move", []any{home, bs("/f"), bs("/g")}},
				{"Set", []any{bs("/proc/gvfs-metadata/home"), bs("/f"), map[string]dbus.Variant{"k": dbus.MakeVariant("v")}}},
			} {
				err := obj.Call("org.gtk.vfs.Metadata."+call.method, 0, call.args...).Err
				if err == nil {
					t.Fatalf("%s: %s on a read-only directory was answered", kind, call.method)
				}
				got[kind] = append(got[kind], errorText(err))
			}
			conn.Close()
		}
		t.Logf("%v: reference %q", env, got[reference])
		if !slices.Equal(got[ours], got[reference]) {
			t.Errorf("%v: ours %q, the reference %q", env, got[ours], got[reference])
		}
	}
}
