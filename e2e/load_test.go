// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/internal/gioinfo"
)

// peakRSS is a process's high-water resident set, in KiB.
func peakRSS(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return kb
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// TestEightClientsThenSIGTERMKeepEveryAcknowledgedWrite has 8 clients
// write 5,000 distinct paths each at once, stops the daemon with SIGTERM,
// and checks with gio (through a newly activated daemon's files) that every
// write the daemon acknowledged is there, and that memory stayed bounded.
func TestEightClientsThenSIGTERMKeepEveryAcknowledgedWrite(t *testing.T) {
	const clients, perClient = 8, 5000
	if testing.Short() {
		t.Skip("the 40,000-write load test does not run with testing.Short (-short); CI runs it")
	}
	w := newWorld(t, ours)
	cmd := w.start(ourDaemonPlain)
	treefile := bs(w.treefile())
	acked := make([][]bool, clients)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := time.Now()
	for c := range clients {
		acked[c] = make([]bool, perClient)
		obj, conn := metadataClient(t, w.s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			for i := range perClient {
				p := fmt.Sprintf("/load/c%d/d%02d/f%04d", c, i%50, i)
				err := obj.Call("org.gtk.vfs.Metadata.Set", 0, treefile, bs(p), map[string]dbus.Variant{"n": dbus.MakeVariant(fmt.Sprint(c*perClient + i))}).Err
				if err != nil {
					errs <- fmt.Errorf("client %d write %d: %w", c, i, err)
					return
				}
				acked[c][i] = true
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	elapsed := time.Since(start)
	rss := peakRSS(t, cmd.Process.Pid)
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitCode(t, cmd, 60*time.Second); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	t.Logf("%d Sets from %d clients in %v (%.0f/s); peak RSS %d KiB", clients*perClient, clients, elapsed, float64(clients*perClient)/elapsed.Seconds(), rss)
	if rss > 100*1024 {
		t.Errorf("peak RSS %d KiB for %d entries", rss, clients*perClient)
	}

	var files []string
	var want []string
	for c := range clients {
		for i := range perClient {
			if acked[c][i] {
				files = append(files, filepath.Join(w.s.Home, fmt.Sprintf("load/c%d/d%02d/f%04d", c, i%50, i)))
				want = append(want, fmt.Sprint(c*perClient+i))
			}
		}
	}
	for _, f := range files {
		os.MkdirAll(filepath.Dir(f), 0o755)
		os.WriteFile(f, nil, 0o644)
	}
	got, err := gioinfo.Query(w.s, files...)
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for i := range files {
		if got[i]["n"] != want[i] {
			missing++
			if missing < 5 {
				t.Errorf("%s: n=%q, want %q", files[i], got[i]["n"], want[i])
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged writes missing after SIGTERM", missing, len(files))
	}
}
