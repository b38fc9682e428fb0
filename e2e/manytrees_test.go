// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/store"
)

// usage is what a process holds: open files, mappings, resident memory.
type usage struct{ fds, maps, rssKB int }

func (u usage) String() string {
	return fmt.Sprintf("%d fds, %d maps, %d MB resident", u.fds, u.maps, u.rssKB>>10)
}

func measureUsage(t *testing.T, pid int) usage {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	u := usage{fds: len(fds), maps: strings.Count(string(maps), "\n")}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			u.rssKB, _ = strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
		}
	}
	return u
}

// TestManyTreesAtOnceStayBoundedAndIdleOnesClose writes to 300 trees at
// once (a session that saw many disks and shares): the daemon holds no
// more than the reference while they are in use, and once they go idle
// it closes them, where the reference keeps every one open until it exits.
func TestManyTreesAtOnceStayBoundedAndIdleOnesClose(t *testing.T) {
	const trees = 300
	const closeAfter = 2 * time.Second
	var during [2]usage
	for _, kind := range []daemonKind{reference, ours} {
		w := newWorld(t, kind)
		if kind == ours {
			w.start(ourDaemonPlain, "--close-trees="+closeAfter.String())
		}
		dir := filepath.Dir(w.treefile())
		set := func(tree, value string) {
			t.Helper()
			err := w.call("Set", bs(filepath.Join(dir, tree)), bs("/f"), map[string]dbus.Variant{"k": dbus.MakeVariant(value)})
			if err != nil {
				t.Fatalf("%s: Set on %s: %v", kind, tree, err)
			}
		}
		set("home", "first")
		pid := w.daemonPID()
		time.Sleep(closeAfter + time.Second) // the home tree closes too
		before := measureUsage(t, pid)
		for i := range trees {
			set(fmt.Sprintf("tree%03d", i), strconv.Itoa(i))
		}
		during[kind] = measureUsage(t, pid)
		time.Sleep(closeAfter + 2*time.Second)
		after := measureUsage(t, pid)
		t.Logf("%s: before %v; with %d trees written %v; idle %v", kind, before, trees, during[kind], after)

		for i := range trees {
			tree := filepath.Join(dir, fmt.Sprintf("tree%03d", i))
			st, err := store.Open(tree, store.Options{ReadOnly: true})
			if err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
			v, ok, err := st.Get("/f", "k")
			st.Close()
			if err != nil || !ok || v.Value != strconv.Itoa(i) {
				t.Fatalf("%s: %s holds %q (%v, %v), want %d", kind, tree, v.Value, ok, err, i)
			}
		}
		if kind == ours {
			// The runtime may map a few more areas of its own meanwhile.
			if after.fds > before.fds+2 || after.maps > before.maps+50 {
				t.Errorf("idle trees were not closed: before %v, idle %v", before, after)
			}
			if after.rssKB > during[reference].rssKB {
				t.Errorf("idle, ours holds %d MB, the reference %d MB with its trees open", after.rssKB>>10, during[reference].rssKB>>10)
			}
		}
	}
	// In use, the garbage of 300 tree creations may wait for the
	// collector, whose headroom (gvfsd-metadata/memory.go) is 32 MB.
	if o, r := during[ours], during[reference]; o.fds > r.fds+2 || o.maps > r.maps*3/2 || o.rssKB > 2*r.rssKB+32<<10 {
		t.Errorf("with %d trees in use ours holds %v, the reference %v", trees, o, r)
	}
}
