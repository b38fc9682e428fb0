// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/format"
	"gvfs-metadata/store"
)

// These tests put the data directory on a small tmpfs of its own, the
// way a full or read-only home looks to the daemon; they need root
// (CAP_SYS_ADMIN) for mount(8), as CI has.

// mountTmpfs mounts a tmpfs of size bytes at dir (created), unmounted
// when the test ends unless the test unmounts it first with unmount.
func mountTmpfs(t *testing.T, dir string, size int) (unmount func()) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mounting a tmpfs (these tests need root): %v: %s", err, out)
	}
	mounted := true
	t.Cleanup(func() {
		if !mounted {
			return
		}
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("unmounting %s: %v: %s", dir, err, out)
		}
	})
	return func() {
		t.Helper()
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Fatalf("umount %s: %v: %s", dir, err, out)
		}
		mounted = false
	}
}

// remount changes the options of the tmpfs at dir (ro, rw).
func remount(t *testing.T, dir, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s %s: %v: %s", opts, dir, err, out)
	}
}

// fillUpTo fills the file system of dir until at most free bytes are left,
// with one file; it returns that file's path.
func fillUpTo(t *testing.T, dir string, free int64) string {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	avail := int64(st.Bavail) * int64(st.Bsize)
	filler := filepath.Join(dir, "filler")
	f, err := os.OpenFile(filler, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n := avail - free; n > 0 {
		if _, err := f.Write(make([]byte, n)); err != nil && !errors.Is(err, syscall.ENOSPC) {
			t.Fatal(err)
		}
	}
	return filler
}

// readBack reads a key the way every GIO reader does: the tree file and
// its journal, as they are on disk.
func readBack(t *testing.T, treefile, path, key string) (string, bool) {
	t.Helper()
	st, err := store.Open(treefile, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("opening %s to read: %v", treefile, err)
	}
	defer st.Close()
	v, ok, err := st.Get(path, key)
	if err != nil {
		t.Fatalf("reading %s %s: %v", treefile, path, err)
	}
	return v.Value, ok
}

// checkTree fails the test if the tree file on disk has any problem.
func checkTree(t *testing.T, who, treefile string) {
	t.Helper()
	data, err := os.ReadFile(treefile)
	if err != nil {
		t.Fatalf("%s: %v", who, err)
	}
	if problems := format.CheckTree(data); len(problems) > 0 {
		t.Fatalf("%s: the tree has problems: %v", who, problems)
	}
}

func setKey(w *world, path, key, value string) error {
	return w.call("Set", bs(w.treefile()), bs(path), map[string]dbus.Variant{key: dbus.MakeVariant(value)})
}

// errorText is the message of a D-Bus error reply, as GIO shows it.
func errorText(err error) string {
	var de dbus.Error
	if errors.As(err, &de) && len(de.Body) > 0 {
		if s, ok := de.Body[0].(string); ok {
			return de.Name + ": " + s
		}
	}
	return err.Error()
}

// TestAFullDiskRefusesWritesClearlyAndRecoversByItself fills the data
// directory's file system to several levels, so that the write that
// finds no space is the journal's append, the new tree, or the new
// journal, and then writes until writes fail. Every write answered is
// kept, every write refused gets the reference's error, reads go on, the
// tree stays sound, and once space comes back writes succeed again
// without a restart. Ours keeps at least nine tenths as many writes as
// the reference in the same space.
func TestAFullDiskRefusesWritesClearlyAndRecoversByItself(t *testing.T) {
	referenceKept := map[int64]int{}
	for _, kind := range []daemonKind{reference, ours} {
		for _, free := range []int64{0, 8 << 10, 40 << 10, 120 << 10} {
			t.Run(fmt.Sprintf("%s/%dKiB-free", kind, free>>10), func(t *testing.T) {
				w := newWorld(t, kind)
				dir := filepath.Dir(w.treefile())
				mountTmpfs(t, dir, 4<<20)
				if err := setKey(w, "/kept", "k", "before"); err != nil {
					t.Fatal(err)
				}
				filler := fillUpTo(t, dir, free)
				acked := map[string]string{}
				var refused []string
				value := strings.Repeat("v", 900)
				for i := 0; i < 3000 && len(refused) < 20; i++ {
					p := fmt.Sprintf("/f%04d", i)
					if err := setKey(w, p, "k", value); err != nil {
						refused = append(refused, errorText(err))
						continue
					}
					acked[p] = value
				}
				t.Logf("%s with %d KiB free: %d writes answered, %d refused (%q)", kind, free>>10, len(acked), len(refused), refused[:min(1, len(refused))])
				if len(refused) == 0 {
					t.Errorf("3,000 writes of 900 bytes all fit in %d KiB", free>>10)
				}
				if kind == reference {
					referenceKept[free] = len(acked)
				} else if len(acked) < referenceKept[free]*9/10 {
					t.Errorf("ours kept %d writes with %d KiB free, the reference %d", len(acked), free>>10, referenceKept[free])
				}
				for _, r := range refused {
					if r != "org.gtk.GDBus.UnmappedGError.Quark._g_2dio_2derror_2dquark.Code0: Unable to set metadata key" &&
						r != "org.freedesktop.DBus.Error.Failed: Unable to set metadata key" {
						t.Fatalf("a refused write said %q", r)
					}
				}
				if v, ok := readBack(t, w.treefile(), "/kept", "k"); !ok || v != "before" {
					t.Fatalf("with the disk full a reader sees /kept = %q (%v)", v, ok)
				}
				os.Remove(filler)
				if err := setKey(w, "/after", "k", "space came back"); err != nil {
					t.Fatalf("once space came back: %s", errorText(err))
				}
				for p, want := range acked {
					if v, ok := readBack(t, w.treefile(), p, "k"); !ok || v != want {
						t.Fatalf("%s: %s was answered but reads %d bytes (%v)", kind, p, len(v), ok)
					}
				}
				if v, ok := readBack(t, w.treefile(), "/after", "k"); !ok || v != "space came back" {
					t.Fatalf("%s: the write after space came back reads %q (%v)", kind, v, ok)
				}
				checkTree(t, kind.String(), w.treefile())
			})
		}
	}
}

// TestWritesAfterTheDataDirectoryIsPulledAwayAreReadable removes or
// replaces the data directory, the tree or its journal under a running
// daemon, then writes: every write answered afterwards is there for gio,
// and a write that cannot be kept is refused with the reference's error.
// (The reference writes on into the removed files and loses them all.)
func TestWritesAfterTheDataDirectoryIsPulledAwayAreReadable(t *testing.T) {
	for _, c := range []struct {
		name    string
		damage  func(t *testing.T, treefile string)
		refused bool
	}{
		{"rm -rf the data directory", func(t *testing.T, treefile string) { os.RemoveAll(filepath.Dir(treefile)) }, false},
		{"rm the journal", func(t *testing.T, treefile string) {
			logs, _ := filepath.Glob(treefile + "-*.log")
			if len(logs) != 1 {
				t.Fatalf("journals: %v", logs)
			}
			os.Remove(logs[0])
		}, false},
		{"the tree replaced by a directory", func(t *testing.T, treefile string) {
			os.Remove(treefile)
			os.Mkdir(treefile, 0o700)
		}, true},
		{"the tree replaced by a symlink", func(t *testing.T, treefile string) {
			os.Remove(treefile)
			os.Symlink("/etc/passwd", treefile)
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, ours)
			w.files("before", "after0", "after1", "after2")
			if err := setKey(w, "/before", "k", "old"); err != nil {
				t.Fatal(err)
			}
			c.damage(t, w.treefile())
			answered := 0
			for i := range 3 {
				err := setKey(w, fmt.Sprintf("/after%d", i), "k", "new")
				switch {
				case err == nil && c.refused:
					t.Fatalf("write %d answered with no tree a reader could open", i)
				case err != nil && !c.refused:
					t.Fatalf("write %d: %s", i, errorText(err))
				case err != nil && errorText(err) != "org.gtk.GDBus.UnmappedGError.Quark._g_2dio_2derror_2dquark.Code0: Unable to set metadata key":
					t.Fatalf("write %d refused with %q", i, errorText(err))
				case err == nil:
					answered++
				}
			}
			if c.refused {
				return
			}
			md := w.info("after0", "after1", "after2")
			for i, m := range md {
				if m["k"] != "new" {
					t.Errorf("after%d: gio info shows %q, want the value answered", i, m["k"])
				}
			}
			checkTree(t, "ours", w.treefile())
		})
	}
}

// stopDaemon ends the daemon that owns the name with SIGTERM (it writes
// out its trees) and waits for it to be gone; the next call activates a
// new one.
func stopDaemon(t *testing.T, w *world) {
	t.Helper()
	pid := w.daemonPID()
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range 500 {
		if err := syscall.Kill(pid, 0); err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("daemon %d still runs 5 s after SIGTERM", pid)
}

// TestAReadOnlyDataDirectoryRefusesWritesAsTheReferenceDoes: on a data
// directory mounted read-only (a home from a read-only snapshot, a disk
// remounted read-only after errors) a write is refused with the
// reference's error, reads go on, and once the directory is writable
// again, writes work without a restart (the reference's do not).
func TestAReadOnlyDataDirectoryRefusesWritesAsTheReferenceDoes(t *testing.T) {
	var refusals [2]string
	for _, kind := range []daemonKind{reference, ours} {
		w := newWorld(t, kind)
		dir := filepath.Dir(w.treefile())
		mountTmpfs(t, dir, 4<<20)
		if err := setKey(w, "/kept", "k", "before"); err != nil {
			t.Fatal(err)
		}
		stopDaemon(t, w) // a file open for writing keeps a remount read-only from succeeding
		remount(t, dir, "ro")
		err := setKey(w, "/refused", "k", "v")
		if err == nil {
			t.Fatalf("%s: a write to a read-only directory was answered", kind)
		}
		refusals[kind] = errorText(err)
		if v, ok := readBack(t, w.treefile(), "/kept", "k"); !ok || v != "before" {
			t.Fatalf("%s: read-only, a reader sees /kept = %q (%v)", kind, v, ok)
		}
		remount(t, dir, "rw")
		if err := setKey(w, "/after", "k", "writable again"); err != nil {
			if kind == reference {
				// It keeps the tree it opened without a journal and
				// refuses every write until it is restarted.
				t.Logf("reference, once the directory is writable again: %s", errorText(err))
				continue
			}
			t.Fatalf("%s: once the directory is writable again: %s", kind, errorText(err))
		}
		if v, ok := readBack(t, w.treefile(), "/after", "k"); !ok || v != "writable again" {
			t.Fatalf("%s: the write once writable again reads %q (%v)", kind, v, ok)
		}
		checkTree(t, kind.String(), w.treefile())
	}
	if refusals[ours] != refusals[reference] {
		t.Errorf("a write to a read-only directory: ours says %q, the reference %q", refusals[ours], refusals[reference])
	}
}
