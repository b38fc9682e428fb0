// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// hostileArg returns a random argument: wrong types, empty and huge
// arrays, byte strings with and without NULs or UTF-8, deep paths, big
// values, nested variants.
func hostileArg(rng *rand.Rand, treefile []byte) any {
	switch rng.IntN(16) {
	case 0:
		return treefile
	case 1:
		return bs("/" + strings.Repeat("deep/", 1+rng.IntN(5000)) + "x")
	case 2:
		return []byte{}
	case 3:
		b := make([]byte, rng.IntN(300))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return b
	case 4:
		return map[string]dbus.Variant{}
	case 5:
		return map[string]dbus.Variant{"k": dbus.MakeVariant(strings.Repeat("v", 1<<20))}
	case 6:
		m := map[string]dbus.Variant{}
		for i := range rng.IntN(2000) {
			m[fmt.Sprintf("key-ü-%d", i)] = dbus.MakeVariant([]string{"a", strings.Repeat("b", rng.IntN(100))})
		}
		return m
	case 7:
		return map[string]dbus.Variant{"k": dbus.MakeVariant(dbus.MakeVariant(int64(1)))}
	case 8:
		return map[string]dbus.Variant{"k": dbus.MakeVariant(make([]string, 100000))}
	case 9:
		return uint32(rng.Uint32())
	case 10:
		return "a string"
	case 11:
		return []string{"x", "y"}
	case 12:
		return map[string]dbus.Variant{"emblems": dbus.MakeVariant(byte(1)), "x": dbus.MakeVariant("y")}
	case 13:
		return bs("/" + strings.Repeat("x", 70000))
	case 14:
		return int32(-1)
	}
	return bs("/ok/path")
}

// TestHostileCallsNeitherCrashNorWedgeTheDaemon throws thousands of random
// malformed and oversized calls at the daemon; each must be answered, and
// afterwards the same daemon must still serve gio normally.
func TestHostileCallsNeitherCrashNorWedgeTheDaemon(t *testing.T) {
	w := newWorld(t, ours)
	cmd := w.start(ourDaemon)
	rng := rand.New(rand.NewPCG(11, 12))
	treefile := bs(w.treefile())
	methods := []string{"Set", "Remove", "Move", "GetTreeFromDevice", "Frobnicate"}
	obj := w.conn.Object("org.gtk.vfs.Metadata", "/org/gtk/vfs/metadata")
	calls := 1500
	if testing.Short() {
		calls = 200
	}
	for i := range calls {
		method := methods[rng.IntN(len(methods))]
		args := make([]any, rng.IntN(4))
		for j := range args {
			args[j] = hostileArg(rng, treefile)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		call := obj.CallWithContext(ctx, "org.gtk.vfs.Metadata."+method, 0, args...)
		cancel()
		if call.Err == context.DeadlineExceeded {
			t.Fatalf("call %d (%s with %d args) got no answer: the daemon is wedged", i, method, len(args))
		}
	}
	if cmd.ProcessState != nil {
		t.Fatal("daemon exited")
	}
	if err := w.conn.Object("org.gtk.vfs.Metadata", "/").Call("org.freedesktop.DBus.Peer.Ping", 0).Err; err != nil {
		t.Fatalf("daemon does not answer Ping: %v", err)
	}
	w.files("after.txt")
	w.mustGio("set", "~/after.txt", "metadata::k", "still works")
	if got := w.info("after.txt")[0]["k"]; got != "still works" {
		t.Fatalf("after hostile calls: %q", got)
	}
	if pid := w.daemonPID(); pid != cmd.Process.Pid {
		t.Fatalf("daemon was replaced (pid %d, started %d)", pid, cmd.Process.Pid)
	}
}
