// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"math/rand"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"gvfs-metadata/compat/client"
	"gvfs-metadata/follow"
	"gvfs-metadata/store"
)

// TestKilledWhileFollowingLosesNoMetadata kills the daemon at random
// moments while a burst of renames is being followed, and starts it again
// by activation each time. Afterwards every file's metadata is at its new
// name, never lost and never left at its old name too: renames made while
// the daemon was dead, or waiting for their grace period when it died,
// are found again by the restarted daemon from the identities it saved.
func TestKilledWhileFollowingLosesNoMetadata(t *testing.T) {
	const files = 400
	w := newWorld(t, ours)
	killedWhileFollowing(t, w, files)
}

func killedWhileFollowing(t *testing.T, w *world, files int) {
	w.barrier = newBarrier(w)
	var olds []string
	for i := 0; i < files; i++ {
		olds = append(olds, fmt.Sprintf("k/d%d/f%03d", i%4, i))
	}
	w.files(append(olds, "k/to/marked")...)
	w.setMany(append(olds, "k/to/marked"), func(i int) string { return fmt.Sprint("v", i) })
	w.settle()
	waitForSavedIdentities(t, w, files+2) // every file, the marker and the barrier

	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	kills := 0
	nextKill := 20 + rng.Intn(60)
	for i := 0; i < len(olds); i++ {
		w.rename(olds[i], fmt.Sprintf("k/to/f%03d", i))
		if i == nextKill {
			pid := w.daemonPID()
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			kills++
			// Some renames happen while no daemon runs; then one call
			// starts the next daemon, as any application's would.
			for j := 0; j < 10 && i+1 < len(olds); j++ {
				i++
				w.rename(olds[i], fmt.Sprintf("k/to/f%03d", i))
			}
			// The bus may route a call to the dead daemon before it
			// sees it go; an application would try again too.
			var err error
			for try := 0; try < 50; try++ {
				if err = w.call("Remove", bs(w.treefile()), bs("/nothing-here")); err == nil {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err != nil {
				t.Fatalf("starting the daemon again: %v", err)
			}
			nextKill = i + 20 + rng.Intn(80)
		}
		if rng.Intn(8) == 0 {
			time.Sleep(time.Duration(rng.Intn(3000)) * time.Microsecond)
		}
	}
	if kills < 3 {
		t.Fatalf("only %d kills", kills)
	}
	// The last daemon has scanned and settled.
	waitForReadyFollower(t, w)
	w.settle()

	var news []string
	for i := 0; i < files; i++ {
		news = append(news, fmt.Sprintf("k/to/f%03d", i))
	}
	got := w.tags(news)
	lost := 0
	for i, rel := range news {
		if got[rel] != fmt.Sprint("v", i) {
			lost++
			if lost <= 5 {
				t.Errorf("%s shows %q, want %q", rel, got[rel], fmt.Sprint("v", i))
			}
		}
	}
	// Nothing is left at an old name, where a new file would inherit it.
	st, err := store.Open(w.treefile(), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	both := 0
	for i := 0; i < files; i++ {
		old := fmt.Sprintf("/k/d%d/f%03d", i%4, i)
		kvs, err := st.Keys(old)
		if err != nil {
			t.Fatal(err)
		}
		if len(kvs) > 0 {
			both++
			if both <= 5 {
				t.Errorf("%s still has metadata after its file was renamed", old)
			}
		}
	}
	t.Logf("%d renames, %d kills: %d files without their metadata at the new name, %d with metadata left at the old name", files, kills, lost, both)
}

// waitForSavedIdentities waits until the daemon's state file holds n
// identities, so that a kill cannot predate them.
func waitForSavedIdentities(t *testing.T, w *world, n int) {
	t.Helper()
	file := follow.StateFile(follow.StateDir(w.s.Home), w.treefile())
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ids, err := follow.LoadIdentities(file); err == nil && len(ids) >= n {
			return
		}
	}
	b, _ := os.ReadFile(file)
	t.Fatalf("the state file %s did not come to hold %d identities: %d lines", file, n, strings.Count(string(b), "\n"))
}

// waitForReadyFollower waits until the running daemon's follower has
// scanned its trees.
func waitForReadyFollower(t *testing.T, w *world) {
	t.Helper()
	c := client.New(w.conn)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		st, err := c.Status()
		if err != nil || st.Follow == nil || st.Follow.Pending > 0 || st.Follow.Busy || len(st.Follow.Trees) == 0 {
			continue
		}
		ready := true
		for _, tr := range st.Follow.Trees {
			ready = ready && tr.Ready
		}
		if ready {
			return
		}
	}
	t.Fatal("the follower did not become ready")
}
