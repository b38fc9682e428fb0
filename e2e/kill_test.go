// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/internal/session"
	"gvfs-metadata/store"
)

// TestKilledDaemonKeepsEveryAcknowledgedWrite kills the daemon (the race
// detector's build, as activated) with SIGKILL at random moments of
// 4-client bursts on a 50,000-entry tree, many times, and reads the files
// afterwards the way every GIO reader does: each Set the daemon answered
// must be there.
func TestKilledDaemonKeepsEveryAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("the kill runs do not run with testing.Short (-short); CI runs them")
	}
	w := newWorld(t, ours)
	installTree(t, w, 50_000)
	rng := rand.New(rand.NewPCG(5, 6))
	// At least minKills kills, and more while fewer than minWrites writes
	// were answered (a loaded machine answers fewer per burst), up to
	// maxKills.
	const minKills, maxKills, minWrites, clients = 8, 40, 3_000, 4
	acked := map[string]string{}
	total, kills := 0, 0
	for run := 0; run < minKills || (total < minWrites && run < maxKills); run++ {
		kills = run + 1
		// Any call activates the daemon, as for every GIO application.
		if err := w.conn.Object("org.gtk.vfs.Metadata", "/org/gtk/vfs/metadata").Call("org.freedesktop.DBus.Peer.Ping", 0).Err; err != nil {
			t.Fatal(err)
		}
		pid, err := w.s.NameOwnerPID("org.gtk.vfs.Metadata")
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for c := range clients {
			obj, conn := metadataClient(t, w.s)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				treefile := bs(w.treefile())
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					p := fmt.Sprintf("/bench/d%05d/k%d-%d-%d.jpg", i%500, run, c, i)
					v := fmt.Sprint(i)
					err := obj.Call("org.gtk.vfs.Metadata.Set", 0, treefile, bs(p), map[string]dbus.Variant{"n": dbus.MakeVariant(v)}).Err
					if err != nil {
						return // the daemon is gone: this write was never answered
					}
					mu.Lock()
					acked[p] = v
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(200+rng.IntN(600)) * time.Millisecond)
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if err := session.WaitExit(pid, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		// Calls after the kill may activate a new daemon, which answers
		// them: those count too.
		close(stop)
		wg.Wait()

		st, err := store.Open(w.treefile(), store.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("kill %d: the tree does not open: %v", run, err)
		}
		lost := 0
		for p, v := range acked {
			got, ok, err := st.Get(p, "n")
			if err != nil || !ok || got.Value != v {
				if lost++; lost <= 3 {
					t.Errorf("kill %d: %s = %q (found %v, %v), acknowledged %q", run, p, got.Value, ok, err, v)
				}
			}
		}
		st.Close()
		if lost > 0 {
			t.Fatalf("kill %d: %d of %d acknowledged writes lost", run, lost, len(acked))
		}
		total = len(acked)
	}
	if total < minWrites {
		t.Errorf("only %d writes acknowledged over %d kills; the test means to cross many rotations", total, kills)
	}
	t.Logf("%d kills, %d acknowledged writes, none lost", kills, total)
}
