// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// soakTime is how long TestFourClientsForFiveMinutesStayFlat writes;
// GVFS_METADATA_SOAK (a Go duration) changes it for a longer look.
func soakTime(t *testing.T) time.Duration {
	d := 5 * time.Minute
	if v := os.Getenv("GVFS_METADATA_SOAK"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatalf("GVFS_METADATA_SOAK=%q: %v", v, err)
		}
	}
	return d
}

// TestFourClientsForFiveMinutesStayFlat has four clients Set, Remove and
// Move at full speed for five minutes. The daemon's open files and
// resident memory after the first minute stay where they were, and at the
// end every path holds what its client last had answered.
func TestFourClientsForFiveMinutesStayFlat(t *testing.T) {
	// A bounded set of paths: once every path was written, the tree stops
	// growing, so memory should too.
	if testing.Short() {
		t.Skip("the five-minute soak does not run with testing.Short (-short); scripts/test runs it")
	}
	const clients, files = 4, 50
	duration := soakTime(t)
	w := newWorld(t, ours)
	cmd := w.start(ourDaemonPlain)
	pid := cmd.Process.Pid
	treefile := bs(w.treefile())

	// Each client owns its paths, and keeps what they should hold.
	models := make([]map[string]string, clients)
	counts := make([]int, clients)
	stop := make(chan struct{})
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for c := range clients {
		models[c] = map[string]string{}
		obj, conn := metadataClient(t, w.s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			rng := rand.New(rand.NewPCG(uint64(c), 1))
			path := func() string { return fmt.Sprintf("/soak/c%d/d%02d/f%04d", c, rng.IntN(40), rng.IntN(files)) }
			model := models[c]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				switch op := rng.IntN(10); {
				case op < 7:
					p, v := path(), fmt.Sprint(i)
					if err = obj.Call("org.gtk.vfs.Metadata.Set", 0, treefile, bs(p), map[string]dbus.Variant{"n": dbus.MakeVariant(v)}).Err; err == nil {
						model[p] = v
					}
				case op < 9:
					p := path()
					if err = obj.Call("org.gtk.vfs.Metadata.Remove", 0, treefile, bs(p)).Err; err == nil {
						delete(model, p)
					}
				default:
					src, dst := path(), path()
					if src == dst {
						continue
					}
					if err = obj.Call("org.gtk.vfs.Metadata.Move", 0, treefile, bs(src), bs(dst)).Err; err == nil {
						if v, ok := model[src]; ok {
							model[dst] = v
						} else {
							delete(model, dst)
						}
						delete(model, src)
					}
				}
				if err != nil {
					errs <- fmt.Errorf("client %d, call %d: %w", c, i, err)
					return
				}
				counts[c]++
			}
		}()
	}

	var samples []usage
	tick := time.NewTicker(duration / 10)
	for end := time.After(duration); ; {
		select {
		case <-tick.C:
			samples = append(samples, measureUsage(t, pid))
			continue
		case err := <-errs:
			close(stop)
			wg.Wait()
			t.Fatal(err)
		case <-end:
		}
		break
	}
	tick.Stop()
	close(stop)
	wg.Wait()
	calls := 0
	for _, n := range counts {
		calls += n
	}
	t.Logf("%d calls in %v; every %v: %v", calls, duration, duration/10, samples)
	if len(samples) < 5 {
		t.Fatalf("only %d samples", len(samples))
	}
	// From the second sample on (the first minute warms the heap up to
	// the collector's headroom): no growth past a quarter; open files at
	// most a rotation's new tree and journal more at any one sample, and
	// none more in the fewest of the last three (a leak raises them all).
	base := samples[1]
	fewest := base.fds + 1<<10
	for i, s := range samples[2:] {
		if s.fds > base.fds+2 || s.rssKB > base.rssKB*5/4+4096 {
			t.Errorf("grew from %v to %v", base, s)
		}
		if i >= len(samples)-5 {
			fewest = min(fewest, s.fds)
		}
	}
	if fewest > base.fds {
		t.Errorf("open files grew from %d to at least %d in each of the last three samples", base.fds, fewest)
	}

	for c, model := range models {
		checked := 0
		for p, want := range model {
			if checked == 200 {
				break
			}
			if v, ok := readBack(t, w.treefile(), p, "n"); !ok || v != want {
				t.Fatalf("client %d: %s reads %q (%v), want %q", c, p, v, ok, want)
			}
			checked++
		}
	}
}
