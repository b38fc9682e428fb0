// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"gvfs-metadata/internal/testenv"
)

// TestMountWatchHearsMountsAndUnmounts: a tmpfs mounted and unmounted are
// each heard, and once stopped (twice, as a deferred stop may) the watch
// calls no more.
func TestMountWatchHearsMountsAndUnmounts(t *testing.T) {
	var changes atomic.Int32
	m, err := watchMounts("/proc/self/mountinfo", func() { changes.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	defer m.stop()
	// (Other tests may mount meanwhile: only what must be heard is
	// checked, at least once each.)
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		testenv.Unavailable(t, "mounting a tmpfs needs root: "+string(out))
	}
	waitChanges(t, &changes, 1, "the mount")
	changes.Store(0)
	if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
		t.Fatalf("umount: %v: %s", err, out)
	}
	waitChanges(t, &changes, 1, "the unmount")
	m.stop()
	heard := changes.Load()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount: %v: %s", err, out)
	}
	defer exec.Command("umount", dir).Run()
	time.Sleep(100 * time.Millisecond)
	if n := changes.Load(); n != heard {
		t.Errorf("a stopped watch heard %d more changes", n-heard)
	}
}

// TestMountWatchOfAPlainFileOnlyStops: a file that never signals a change
// is watched without a call, and the watch stops when told.
func TestMountWatchOfAPlainFileOnlyStops(t *testing.T) {
	f := t.TempDir() + "/table"
	if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	var changes atomic.Int32
	m, err := watchMounts(f, func() { changes.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	m.stop()
	if n := changes.Load(); n != 0 {
		t.Errorf("%d changes heard from a plain file", n)
	}
	if _, err := watchMounts(t.TempDir()+"/missing", func() {}); err == nil {
		t.Error("watching a missing table did not fail")
	}
}

func waitChanges(t *testing.T, changes *atomic.Int32, want int32, what string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); changes.Load() < want; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the watch did not hear %s in 10 s (%d changes heard)", what, changes.Load())
		}
	}
}
