// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"gvfs-metadata/compat/resolve"
)

func testLocator(t *testing.T) (Locator, string) {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(base, "home")
	os.MkdirAll(filepath.Join(home, "Photos"), 0o755)
	os.Symlink(filepath.Join(home, "Photos"), filepath.Join(home, "Pics"))
	return Locator{Resolver: &resolve.Resolver{Home: home, DataDir: filepath.Join(home, ".local", "share")}}, home
}

func local(t *testing.T, uri string) Location {
	t.Helper()
	l, err := ParseLocation(uri)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestTargetsOfLocalFilesFollowTheCClient(t *testing.T) {
	l, home := testLocator(t)
	data := l.Resolver.DataDir
	cases := []struct {
		loc        Location
		tree, path string
	}{
		{local(t, "file://"+home+"/Photos").Child("a b.jpg"), "home", "/Photos/a b.jpg"},
		{local(t, "file://"+home+"/Photos").Child("."), "home", "/Photos"},
		{local(t, "file://"+home).Child("."), "home", "/"},
		// Through a symlinked directory, as the C client expands parents.
		{local(t, "file://"+home+"/Pics").Child("x"), "home", "/Photos/x"},
		// Gone: the nearest existing ancestor decides the tree.
		{local(t, "file://"+home+"/Old/Deep").Child("y"), "home", "/Old/Deep/y"},
		{local(t, "file://"+home+"/Pics/Gone").Child("z"), "home", "/Photos/Gone/z"},
		// Root-level directories and the root itself.
		{local(t, "file:///").Child("tmp"), "root", "/tmp"},
		{local(t, "file:///").Child("."), "root", "/"},
		{local(t, "file:///nonexistent-import-test").Child("f"), "root", "/nonexistent-import-test/f"},
	}
	for _, c := range cases {
		got := l.Target(c.loc)
		if got.Tree != c.tree || got.Path != c.path || got.TreeFile != filepath.Join(data, "gvfs-metadata", c.tree) {
			t.Errorf("%s: %+v, want %s %s", c.loc.Local, got, c.tree, c.path)
		}
	}
}

func TestTargetsOfRemovableMediaUseTheVolumeTree(t *testing.T) {
	l, _ := testLocator(t)
	var shm, rootFS syscall.Stat_t
	if syscall.Stat("/dev/shm", &shm) != nil || syscall.Stat("/", &rootFS) != nil || shm.Dev == rootFS.Dev {
		t.Fatal("this test needs /dev/shm on a file system of its own (a tmpfs)")
	}
	media, err := os.MkdirTemp("/dev/shm", "importer")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(media)
	l.Resolver.TreeForDevice = func(maj, min uint32) (string, error) {
		if maj == unix.Major(shm.Dev) && min == unix.Minor(shm.Dev) {
			return "uuid-1234-ABCD", nil
		}
		return "", nil
	}
	l.Resolver.MountInfo = filepath.Join(t.TempDir(), "mountinfo") // no bind mounts
	os.WriteFile(filepath.Join(media, "song.ogg"), nil, 0o644)
	name := filepath.Base(media)
	for file, want := range map[string]string{
		"song.ogg": "/" + name + "/song.ogg",
		"gone.ogg": "/" + name + "/gone.ogg",
		".":        "/" + name,
	} {
		got := l.Target(local(t, "file://"+media).Child(file))
		if got.Tree != "uuid-1234-ABCD" || got.Path != want {
			t.Errorf("%s: %+v, want uuid-1234-ABCD %s", file, got, want)
		}
	}
	got := l.Target(local(t, "file://"+media+"/Gone/Deeper").Child("x"))
	if got.Tree != "uuid-1234-ABCD" || got.Path != "/"+name+"/Gone/Deeper/x" {
		t.Errorf("missing directory on the volume: %+v", got)
	}
}

func TestTargetsOfRemoteFilesAreTheirMountSpecTrees(t *testing.T) {
	l, _ := testLocator(t)
	got := l.Target(local(t, "sftp://me@example.com/home/me").Child("f"))
	want := resolve.Location{Tree: "sftp:host=example.com,user=me", TreeFile: filepath.Join(l.Resolver.DataDir, "gvfs-metadata", "sftp:host=example.com,user=me"), Path: "/home/me/f"}
	if got != want {
		t.Errorf("%+v, want %+v", got, want)
	}
}
