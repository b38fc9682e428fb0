// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/format"
	"gvfs-metadata/internal/testenv"
	"gvfs-metadata/store"
)

// readBackProbe is what Nautilus does after an emblem change and Evince
// after a page change, through the real gvfs GIO module: set a key, then
// read it back at once. It prints the number of probes whose read did
// not return the value just set, then up to five of them.
const readBackProbe = `
import sys, gi
gi.require_version("Gio", "2.0")
from gi.repository import Gio
home, probes = sys.argv[1], int(sys.argv[2])
files = [Gio.File.new_for_path("%s/probe/p%d" % (home, i)) for i in range(10)]
missed = []
for i in range(probes):
    f = files[i % len(files)]
    f.set_attribute_string("metadata::probe", str(i), Gio.FileQueryInfoFlags.NONE, None)
    got = f.query_info("metadata::probe", Gio.FileQueryInfoFlags.NONE, None).get_attribute_string("metadata::probe")
    if got != str(i):
        missed.append("probe %d read %r" % (i, got))
print(len(missed))
for m in missed[:5]:
    print(m)
`

// requirePyGObject stops a test that needs Debian's python3-gi: it fails
// under CI, where it must be installed, and skips elsewhere.
func requirePyGObject(t *testing.T) {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", `import gi; gi.require_version("Gio", "2.0")`).Run(); err != nil {
		testenv.Unavailable(t, fmt.Sprintf("needs PyGObject (apt-get install -y python3-gi): %v", err))
	}
}

// installTree writes a home tree of n entries (100 files per directory
// under /bench, one key each) into the world's data directory, before any
// daemon opens it.
func installTree(t *testing.T, w *world, n int) {
	t.Helper()
	bench := &format.Node{Name: "bench", LastChanged: 1_700_000_000}
	for d := range (n + 99) / 100 {
		dir := &format.Node{Name: fmt.Sprintf("d%05d", d), LastChanged: 1_700_000_000}
		for i := d * 100; i < min(n, (d+1)*100); i++ {
			dir.Children = append(dir.Children, &format.Node{Name: fmt.Sprintf("f%07d.jpg", i), LastChanged: 1_700_000_000,
				Keys: []format.KeyValue{{Key: "nautilus-icon-position", Value: fmt.Sprint(i)}}})
		}
		bench.Children = append(bench.Children, dir)
	}
	root := &format.Node{Children: []*format.Node{bench}}
	st, err := store.Create(w.treefile(), root, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

// burst has clients write Sets of new paths back to back until stop is
// closed; it returns how many were acknowledged.
func burst(t *testing.T, w *world, clients int, stop <-chan struct{}) func() int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := 0
	treefile := bs(w.treefile())
	for c := range clients {
		obj, conn := metadataClient(t, w.s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := fmt.Sprintf("/bench/d%05d/c%d-%07d.jpg", i%1000, c, i)
				if err := obj.Call("org.gtk.vfs.Metadata.Set", 0, treefile, bs(p), map[string]dbus.Variant{"nautilus-icon-position": dbus.MakeVariant("112,208")}).Err; err != nil {
					t.Errorf("client %d, Set %d: %v", c, i, err)
					return
				}
				mu.Lock()
				acked++
				mu.Unlock()
			}
		}()
	}
	return func() int { wg.Wait(); return acked }
}

// TestAnApplicationReadsBackItsOwnWriteDuringABurst runs the read-back
// probe with the real C client 1,500 times while four other clients write
// to a 300,000-entry tree as fast as the bus lets them, so that the probes
// fall before, during and after many rotations: every read must return
// the value the daemon just acknowledged.
func TestAnApplicationReadsBackItsOwnWriteDuringABurst(t *testing.T) {
	if testing.Short() {
		t.Skip("the 300,000-entry burst does not run with testing.Short (-short); CI runs it")
	}
	requirePyGObject(t)
	w := newWorld(t, ours)
	installTree(t, w, 300_000)
	w.files("probe/")
	for i := range 10 {
		w.files(fmt.Sprintf("probe/p%d", i))
	}
	w.start(ourDaemonPlain)

	// Rotations replace the tree file; count them by its inode.
	inode := func() uint64 {
		var st syscall.Stat_t
		if err := syscall.Stat(w.treefile(), &st); err != nil {
			return 0
		}
		return st.Ino
	}
	stop := make(chan struct{})
	rotations := 0
	var watchedMu sync.Mutex
	var watched sync.WaitGroup
	watched.Add(1)
	go func() {
		defer watched.Done()
		last := inode()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if ino := inode(); ino != last && ino != 0 {
				watchedMu.Lock()
				rotations++
				watchedMu.Unlock()
				last = ino
			}
		}
	}()
	acked := burst(t, w, 4, stop)

	// Runs of 1,500 probes, until they crossed at least three rotations
	// (a loaded machine writes slower, and rotates less often).
	runs := 0
	for ; runs < 5 && rotationCount(&watchedMu, &rotations) < 3; runs++ {
		probe := exec.Command("/usr/bin/python3", "-c", readBackProbe, w.s.Home, "1500")
		probe.Env = w.s.Env()
		out, err := probe.CombinedOutput()
		if err != nil {
			close(stop)
			t.Fatalf("probe: %v: %s", err, out)
		}
		if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); lines[0] != "0" {
			t.Errorf("run %d: %s of 1,500 reads missed the write just acknowledged: %s", runs+1, lines[0], strings.Join(lines[1:], "; "))
		}
	}
	close(stop)
	watched.Wait()
	sets := acked()
	t.Logf("%d runs of 1,500 probes during %d Sets from 4 clients and %d rotations of the tree", runs, sets, rotations)
	if rotations < 3 {
		t.Errorf("only %d rotations during the probes; the test means to cross many", rotations)
	}
}

// rotationCount reads a count another goroutine keeps under mu.
func rotationCount(mu *sync.Mutex, n *int) int {
	mu.Lock()
	defer mu.Unlock()
	return *n
}
