// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"gvfs-metadata/compat/client"
	"gvfs-metadata/store"
)

// TestVolumeTreeIsFollowedWhileMountedAndLeftAloneAfter follows renames on
// a removable volume (a tmpfs that udev's database, as the daemon reads
// it, names uuid-F0110W), whose tree holds paths relative to its mount
// point; once it is unmounted the daemon stops following it and its tree
// keeps every entry.
func TestVolumeTreeIsFollowedWhileMountedAndLeftAloneAfter(t *testing.T) {
	udev := t.TempDir()
	w := newWorldWithEnv(t, []string{"GVFSD_METADATA_UDEV_DATA=" + udev})
	w.barrier = newBarrier(w)
	vol := w.home("vol")
	if err := os.MkdirAll(vol, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", vol).CombinedOutput(); err != nil {
		t.Fatalf("mounting a tmpfs as a volume (this test needs root): %v: %s", err, out)
	}
	mounted := true
	t.Cleanup(func() {
		if mounted {
			exec.Command("umount", "-l", vol).Run()
		}
	})
	var st syscall.Stat_t
	if err := syscall.Stat(vol, &st); err != nil {
		t.Fatal(err)
	}
	major, minor := uint32((st.Dev>>8)&0xfff|(st.Dev>>32)&^0xfff), uint32(st.Dev&0xff|(st.Dev>>12)&^0xff)
	if err := os.WriteFile(filepath.Join(udev, fmt.Sprintf("b%d:%d", major, minor)), []byte("E:ID_FS_UUID_ENC=F0110W\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.files("vol/photos/a.jpg", "vol/photos/other.jpg")
	w.tag("vol/photos/a.jpg", "V")
	volTree := filepath.Join(w.s.DataHome, "gvfs-metadata", "uuid-F0110W")
	if _, err := os.Stat(volTree); err != nil {
		t.Fatalf("gio set on the volume did not write its tree: %v", err)
	}
	w.settle()
	w.rename("vol/photos/a.jpg", "vol/photos/b.jpg")
	w.settle()
	if got := w.tags([]string{"vol/photos/b.jpg"})["vol/photos/b.jpg"]; got != "V" {
		t.Fatalf("after a rename on the volume, gio info shows %q on the new name, want V", got)
	}

	if out, err := exec.Command("umount", vol).CombinedOutput(); err != nil {
		t.Fatalf("umount: %v: %s", err, out)
	}
	mounted = false
	waitFor(t, "the daemon to stop following the unmounted volume", func() bool {
		s, err := client.New(w.conn).Status()
		if err != nil || s.Follow == nil {
			return false
		}
		for _, tr := range s.Follow.Trees {
			if tr.TreeFile == volTree {
				return false
			}
		}
		return true
	})
	// The same paths now on the home file system are other files.
	w.files("vol/photos/b.jpg")
	w.rename("vol/photos/b.jpg", "vol/photos/c.jpg")
	w.settle()
	tree, err := store.Open(volTree, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	kv, found, err := tree.Get("/photos/b.jpg", tagKey)
	if err != nil || !found || kv.Value != "V" {
		t.Errorf("the unmounted volume's tree lost /photos/b.jpg: %v %v %v", kv, found, err)
	}
}

// waitFor polls cond for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("waited a minute for %s", what)
}
