// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gvfs-metadata/internal/gioinfo"
	"gvfs-metadata/internal/session"
)

// gioSet sets metadata::key=value on each file with gio, as an
// application would.
func gioSet(t *testing.T, s *session.Session, key, value string, files ...string) {
	t.Helper()
	for _, f := range files {
		if _, errOut, err := s.Gio("set", f, "metadata::"+key, value); err != nil {
			t.Fatalf("gio set %s: %v %s", f, err, errOut)
		}
	}
}

// wantMetadata checks what gio info shows for each file: key=value, or
// nothing when value is "".
func wantMetadata(t *testing.T, s *session.Session, key string, want map[string]string) {
	t.Helper()
	for f, v := range want {
		md, err := gioinfo.Query(s, f)
		if err != nil {
			t.Fatal(err)
		}
		if got := md[0][key]; got != v || (v == "" && len(md[0]) != 0) {
			t.Errorf("gio info %s: %v, want %s=%q", f, md[0], key, v)
		}
	}
}

// TestMvAndCpCarryMetadataAsGioSeesIt moves and copies files and
// directories, within the home tree and out of it into the root tree,
// and checks with gio info that the metadata went along.
func TestMvAndCpCarryMetadataAsGioSeesIt(t *testing.T) {
	s := ourSession(t)
	home := s.Home
	outside := filepath.Join(s.Root, "elsewhere") // not under HOME: the root tree
	a, dir, kept := filepath.Join(home, "a.txt"), filepath.Join(home, "album"), filepath.Join(home, "kept")
	photos := []string{filepath.Join(dir, "one.jpg"), filepath.Join(dir, "sub", "two.jpg")}
	touch(t, append([]string{a, filepath.Join(kept, ".keep"), filepath.Join(outside, ".keep")}, photos...)...)
	os.WriteFile(a, []byte("content"), 0o640)
	os.Chmod(a, 0o640)
	gioSet(t, s, "note", "a", a)
	gioSet(t, s, "note", "photo", photos...)
	gioSet(t, s, "note", "album", dir)

	run := func(args ...string) {
		t.Helper()
		if code, out, errOut := inSession(t, s, args...); code != exitOK {
			t.Fatalf("gvfs-meta %s: exit %d %s %s", strings.Join(args, " "), code, out, errOut)
		}
	}
	// A file copied, then moved, within the home tree.
	run("cp", a, filepath.Join(home, "copy.txt"))
	run("mv", a, filepath.Join(home, "b.txt"))
	if b, _ := os.ReadFile(filepath.Join(home, "copy.txt")); string(b) != "content" {
		t.Errorf("copy holds %q", b)
	}
	if st, _ := os.Stat(filepath.Join(home, "copy.txt")); st == nil || st.Mode().Perm() != 0o640 {
		t.Errorf("copy's mode: %v", st)
	}
	// A directory moved into another (DST/SRC's name), then copied out of
	// the home tree, its keys with it.
	run("mv", dir, kept)
	moved := filepath.Join(kept, "album")
	run("cp", moved, outside)
	copied := filepath.Join(outside, "album")
	touch(t, a) // a new file under the old name has no metadata
	wantMetadata(t, s, "note", map[string]string{
		a: "", filepath.Join(home, "b.txt"): "a", filepath.Join(home, "copy.txt"): "a",
		moved: "album", filepath.Join(moved, "one.jpg"): "photo", filepath.Join(moved, "sub", "two.jpg"): "photo",
		copied: "album", filepath.Join(copied, "one.jpg"): "photo", filepath.Join(copied, "sub", "two.jpg"): "photo",
	})
	// Moved out of the home tree: set in root's, removed from home's.
	run("mv", filepath.Join(home, "b.txt"), outside)
	touch(t, filepath.Join(home, "b.txt"))
	wantMetadata(t, s, "note", map[string]string{filepath.Join(outside, "b.txt"): "a", filepath.Join(home, "b.txt"): ""})

	// Files moved behind GIO's back: the metadata follows on request.
	if err := os.Rename(filepath.Join(home, "copy.txt"), filepath.Join(home, "renamed.txt")); err != nil {
		t.Fatal(err)
	}
	run("mv", "--metadata-only", filepath.Join(home, "copy.txt"), filepath.Join(home, "renamed.txt"))
	wantMetadata(t, s, "note", map[string]string{filepath.Join(home, "renamed.txt"): "a"})

	// Refusals change nothing.
	for _, args := range [][]string{
		{"mv", filepath.Join(home, "renamed.txt"), filepath.Join(outside, "b.txt")}, // exists
		{"cp", filepath.Join(home, "missing"), filepath.Join(home, "x")},            // no source
		{"mv", moved, filepath.Join(moved, "sub")},                                  // into itself
		{"mv", "--metadata-only", filepath.Join(home, "never-had-any"), filepath.Join(home, "renamed.txt")},
	} {
		if code, _, errOut := inSession(t, s, args...); code != exitProblems || errOut == "" {
			t.Errorf("gvfs-meta %s: exit %d %q, want 1 and a reason", strings.Join(args, " "), code, errOut)
		}
	}
	wantMetadata(t, s, "note", map[string]string{filepath.Join(home, "renamed.txt"): "a", filepath.Join(outside, "b.txt"): "a", moved: "album"})
}
