// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"gvfs-metadata/internal/gioinfo"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
	"gvfs-metadata/store"
)

// nautilusTestVolume makes a directory on /dev/shm (a file system of its
// own) and a udev database naming that device, so that our daemon's
// GetTreeFromDevice, asked by us and by gio alike, calls it a volume.
func nautilusTestVolume(t *testing.T) (dir, udev, tree string) {
	t.Helper()
	var shm, rootFS syscall.Stat_t
	if syscall.Stat("/dev/shm", &shm) != nil || syscall.Stat("/", &rootFS) != nil || shm.Dev == rootFS.Dev {
		t.Fatal("this test needs /dev/shm on a file system of its own (a tmpfs)")
	}
	dir, err := os.MkdirTemp("/dev/shm", "nautilus-import")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	udev = t.TempDir()
	record := fmt.Sprintf("b%d:%d", unix.Major(shm.Dev), unix.Minor(shm.Dev))
	if err := os.WriteFile(filepath.Join(udev, record), []byte("E:ID_FS_UUID_ENC=1234-ABCD\nE:ID_FS_LABEL_ENC=STICK\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, udev, "uuid-1234-ABCD"
}

// TestImportNautilusEndToEnd imports a sample ~/.nautilus/metafiles
// through our daemon on a private bus and reads the result with gio: the
// translated keys on the right files in every kind of tree, and nothing
// changed by running again.
func TestImportNautilusEndToEnd(t *testing.T) {
	testenv.RequireSession(t)
	media, udev, volumeTree := nautilusTestVolume(t)
	s, err := session.Start(session.Options{Daemon: ourDaemon(t), DaemonEnv: []string{"GVFSD_METADATA_UDEV_DATA=" + udev}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	home := s.Home
	touch(t, home+"/Photos/My Photo.jpg", home+"/Documents/report.pdf", media+"/song.ogg")
	// The home tree already has a note of its own on report.pdf.
	if _, _, err := s.Gio("set", home+"/Documents/report.pdf", "metadata::annotation", "mine"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(home, ".nautilus", "metafiles")
	writeNautilus(t, dir, map[string]string{
		"file://" + home + "/Photos": `<?xml version="1.0"?>
<directory>
  <file name="." timestamp="1230000000" icon_view_zoom_level="larger" window_geometry="800x600+10+20"/>
  <file name="My%20Photo.jpg" timestamp="1230000100" icon_position="64,128" annotation="beach">
    <keyword name="important"/>
    <keyword name="new"/>
    <keyword name="cool"/>
  </file>
</directory>`,
		"file://" + home + "/Documents": `<directory>
  <file name="report.pdf" annotation="theirs" custom_icon="file:///usr/share/icons/r.png" old_key="x"/>
  <file name="report.pdf" annotation="theirs, later" custom_icon="file:///usr/share/icons/r2.png" old_key="y"/>
</directory>`,
		// A directory that is gone: imported where it will be looked up.
		"file://" + home + "/Old%20Stuff": `<directory><file name="letter.txt" annotation="gone but kept"/></directory>`,
		"file:///":                        `<directory><file name="." background_color="#000000"/><file name="tmp" annotation="scratch"/></directory>`,
		"file://" + media:                 `<directory><file name="." icon_view_sort_by="name"/><file name="song.ogg"><keyword name="music"/><keyword name="favorite"/></file></directory>`,
		"sftp://me@example.com/home/me":   `<directory><file name="notes.txt" annotation="remote"><keyword name="work"/></file></directory>`,
		"x-nautilus-desktop:///":          `<directory><file name="home" icon_position="10,10"/></directory>`,
	})

	code, out, errOut := inSession(t, s, "import-nautilus")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"directories: 6 imported, 1 skipped\n", "files:       9\n", "keys set:    13\n", "kept:        1 ", "skipped:     1 (no translation: old_key;"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "migrated-to-gvfs")); err != nil {
		t.Errorf("no marker after a successful import: %v", err)
	}

	// The directory comes back; gio finds its metadata.
	touch(t, home+"/Old Stuff/letter.txt")
	files := []string{home + "/Photos", home + "/Photos/My Photo.jpg", home + "/Documents/report.pdf", home + "/Old Stuff/letter.txt", "/", "/tmp", media, media + "/song.ogg"}
	want := []gioinfo.Metadata{
		{"nautilus-icon-view-zoom-level": "larger", "nautilus-window-geometry": "800x600+10+20"},
		{"nautilus-icon-position": "64,128", "annotation": "beach", "emblems": "[important, new, cool]"},
		{"annotation": "mine", "custom-icon": "file:///usr/share/icons/r2.png"},
		{"annotation": "gone but kept"},
		{"folder-background-color": "#000000"},
		{"annotation": "scratch"},
		{"nautilus-icon-view-sort-by": "name"},
		{"emblems": "[music, favorite]"},
	}
	check := func(when string) {
		t.Helper()
		got, err := gioinfo.Query(s, files...)
		if err != nil {
			t.Fatal(err)
		}
		for i := range files {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s: %s: gio info %v, want %v", when, files[i], got[i], want[i])
			}
		}
	}
	check("after the import")

	// gio found them where it looks; these are the trees that is.
	for _, c := range []struct{ tree, path, key string }{
		{volumeTree, "/" + filepath.Base(media) + "/song.ogg", "emblems"},
		{"root", "/tmp", "annotation"},
		{"home", "/Old Stuff/letter.txt", "annotation"},
	} {
		st, err := store.Open(filepath.Join(s.DataHome, "gvfs-metadata", c.tree), store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := st.Get(c.path, c.key); !ok || err != nil {
			t.Errorf("tree %s has no %s at %s (%v)", c.tree, c.key, c.path, err)
		}
		st.Close()
	}

	// The remote file: the real client, asked to set a key on the same
	// URI, writes into the tree and path the import used. (Host case and
	// default ports depend on gvfs-backends' .mount files, which this
	// session lacks; importer's TestRemoteTreeNamesMatchGioSet covers
	// them.)
	if _, _, err := s.Gio("set", "sftp://me@example.com/home/me/notes.txt", "metadata::probe", "1"); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(s.DataHome, "gvfs-metadata", "sftp:host=example.com,user=me"), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	kvs, _ := st.Keys("/home/me/notes.txt")
	st.Close()
	if len(kvs) != 3 || kvs[0].Key != "annotation" || kvs[0].Value != "remote" || kvs[1].Key != "emblems" || kvs[2].Key != "probe" {
		t.Errorf("sftp tree: %+v", kvs)
	}

	// Again: the marker stops it; forced, every key is already there.
	code, out, _ = inSession(t, s, "import-nautilus")
	if code != exitOK || !strings.Contains(out, "already imported") {
		t.Errorf("second run: exit %d\n%s", code, out)
	}
	code, out, errOut = inSession(t, s, "import-nautilus", "--force")
	if code != exitOK || !strings.Contains(out, "keys set:    0\n") || !strings.Contains(out, "kept:        14 ") {
		t.Errorf("forced run: exit %d\n%s%s", code, out, errOut)
	}
	check("after running again")
}

// TestImportNautilusRawTreeIsReadByGio writes the raw conversion as the
// home tree of a fresh session: gio reads the keys as Nautilus wrote them.
func TestImportNautilusRawTreeIsReadByGio(t *testing.T) {
	s := ourSession(t)
	home := s.Home
	touch(t, home+"/Photos/p.jpg")
	dir := filepath.Join(home, ".nautilus", "metafiles")
	writeNautilus(t, dir, map[string]string{
		"file://" + home + "/Photos": `<directory>
<file name="." timestamp="1230000000" icon_view_zoom_level="larger"/>
<file name="p.jpg" timestamp="1234567890" icon_position="1,2" annotation="raw note"><keyword name="a"/><keyword name="b"/></file>
</directory>`,
	})
	treefile := filepath.Join(s.DataHome, "gvfs-metadata", "home")
	code, out, errOut := inSession(t, s, "import-nautilus", "--raw", "--relative-to", home, "--out", treefile)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	got, err := gioinfo.Query(s, home+"/Photos", home+"/Photos/p.jpg")
	if err != nil {
		t.Fatal(err)
	}
	want := []gioinfo.Metadata{
		{"icon_view_zoom_level": "larger"},
		{"icon_position": "1,2", "annotation": "raw note", "keyword-name": "[a, b]"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("gio info %v, want %v", got, want)
	}
}
