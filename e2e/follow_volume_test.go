// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"os"
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
// keeps every entry; mounted again, it is followed again.
func TestVolumeTreeIsFollowedWhileMountedAndLeftAloneAfter(t *testing.T) {
	udev := t.TempDir()
	w := newWorldWithEnv(t, []string{"GVFSD_METADATA_UDEV_DATA=" + udev})
	w.barrier = newBarrier(w)
	vol := w.home("vol")
	unmount := mountTmpfs(t, vol, 4<<20)
	nameVolume(t, udev, vol, "F0110W")
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

	unmount()
	forgetVolumeNames(t, udev) // a new tmpfs may get the old one's number
	waitFor(t, "the daemon to stop following the unmounted volume", func() bool { return !w.follows(volTree) })
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
		t.Fatalf("the unmounted volume's tree lost /photos/b.jpg: %v %v %v", kv, found, err)
	}

	// Plugged in again, the volume is followed from its mount, with no
	// write to its tree in between. (A tmpfs has no device to name
	// before it is mounted: the new one is named once its files are
	// there, and the next change to the mount table, which a desktop makes
	// plenty of, is what the daemon hears.)
	mountTmpfs(t, vol, 4<<20)
	w.files("vol/photos/b.jpg")
	nameVolume(t, udev, vol, "F0110W")
	mountTmpfs(t, filepath.Join(t.TempDir(), "other"), 1<<20)
	waitFor(t, "the daemon to follow the volume mounted again", func() bool { return w.follows(volTree) })
	w.settle()
	w.rename("vol/photos/b.jpg", "vol/photos/d.jpg")
	w.settle()
	if got := w.tags([]string{"vol/photos/d.jpg"})["vol/photos/d.jpg"]; got != "V" {
		t.Errorf("after a rename on the volume mounted again, gio info shows %q on the new name, want V", got)
	}
}

// follows reports whether this daemon says it follows the tree file.
func (w *world) follows(tree string) bool {
	s, err := client.New(w.conn).Status()
	if err != nil || s.Follow == nil {
		return false
	}
	for _, tr := range s.Follow.Trees {
		if tr.TreeFile == tree {
			return true
		}
	}
	return false
}

// nameVolume writes the entry of udev's database, as the daemon reads it,
// that names the file system mounted on dir as the volume uuid.
func nameVolume(t *testing.T, udev, dir, uuid string) {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil {
		t.Fatal(err)
	}
	major, minor := uint32((st.Dev>>8)&0xfff|(st.Dev>>32)&^0xfff), uint32(st.Dev&0xff|(st.Dev>>12)&^0xff)
	if err := os.WriteFile(filepath.Join(udev, fmt.Sprintf("b%d:%d", major, minor)), []byte("E:ID_FS_UUID_ENC="+uuid+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// forgetVolumeNames empties the udev database of nameVolume.
func forgetVolumeNames(t *testing.T, udev string) {
	t.Helper()
	entries, err := os.ReadDir(udev)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.Remove(filepath.Join(udev, e.Name())); err != nil {
			t.Fatal(err)
		}
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
