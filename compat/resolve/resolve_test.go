// SPDX-License-Identifier: LGPL-2.0-or-later

package resolve

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestCanonicalizeLikeTheCClient(t *testing.T) {
	cases := map[string]string{
		"/a/b":        "/a/b",
		"/a//b/":      "/a/b",
		"/a/./b/../c": "/a/c",
		"/../x":       "/x",
		"//a/b":       "//a/b",
		"///a":        "/a",
		"/":           "/",
		"/a/..":       "/",
	}
	for in, want := range cases {
		if got := canonicalize(in); got != want {
			t.Errorf("canonicalize(%q) = %q, want %q", in, got, want)
		}
	}
	wd, _ := os.Getwd()
	if got := canonicalize("x/../y"); got != filepath.Join(wd, "y") {
		t.Errorf("relative path: %q", got)
	}
}

func setup(t *testing.T) (*Resolver, string) {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(base, "home")
	os.MkdirAll(filepath.Join(home, "real", "sub"), 0o755)
	os.MkdirAll(filepath.Join(base, "outside"), 0o755)
	os.Symlink(filepath.Join(home, "real"), filepath.Join(home, "inlink"))
	os.Symlink(filepath.Join(base, "outside"), filepath.Join(home, "outlink"))
	os.Symlink("real", filepath.Join(home, "rellink"))
	os.WriteFile(filepath.Join(home, "real", "f"), nil, 0o644)
	os.Symlink("f", filepath.Join(home, "real", "filelink"))
	return &Resolver{Home: home, DataDir: filepath.Join(home, ".local", "share")}, base
}

func TestHomeRootAndSymlinkedParents(t *testing.T) {
	r, base := setup(t)
	home := r.Home
	cases := []struct {
		file       string
		tree, path string
	}{
		{home, "home", "/"},
		{home + "/real/f", "home", "/real/f"},
		{home + "/real/./sub/../f", "home", "/real/f"},
		{home + "/inlink/f", "home", "/real/f"},
		{home + "/rellink/sub", "home", "/real/sub"},
		{home + "/real/filelink", "home", "/real/filelink"}, // the file itself is not followed
		{home + "/outlink/x", "root", base + "/outside/x"},
		{base + "/outside", "root", base + "/outside"},
		{home + "/real/missing", "home", "/real/missing"},
	}
	for _, c := range cases {
		loc := r.Resolve(c.file)
		if loc.Tree != c.tree || loc.Path != c.path {
			t.Errorf("%s: %s %s, want %s %s", c.file, loc.Tree, loc.Path, c.tree, c.path)
		}
		if loc.TreeFile != filepath.Join(r.DataDir, "gvfs-metadata", c.tree) {
			t.Errorf("%s: tree file %s", c.file, loc.TreeFile)
		}
	}
}

func TestVolumeTreesUseTheMountPointAndItsRoot(t *testing.T) {
	r, _ := setup(t)
	var shm, rootFS syscall.Stat_t
	if syscall.Stat("/dev/shm", &shm) != nil || syscall.Stat("/", &rootFS) != nil || shm.Dev == rootFS.Dev {
		t.Fatal("this test needs /dev/shm on a file system of its own (a tmpfs)")
	}
	dir, err := os.MkdirTemp("/dev/shm", "resolve")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "f"), nil, 0o644)
	var asked [2]uint32
	r.TreeForDevice = func(maj, min uint32) (string, error) {
		asked = [2]uint32{maj, min}
		if uint64(maj)<<8|uint64(min) == shm.Dev || (maj == major(shm.Dev) && min == minor(shm.Dev)) {
			return "uuid-test", nil
		}
		return "", nil
	}
	r.MountInfo = filepath.Join(t.TempDir(), "mountinfo")
	os.WriteFile(r.MountInfo, []byte("22 1 0:5 / /dev/shm rw - tmpfs tmpfs rw\n"), 0o644)
	loc := r.Resolve(filepath.Join(dir, "f"))
	if loc.Tree != "uuid-test" || loc.Path != "/"+filepath.Base(dir)+"/f" {
		t.Fatalf("volume file: %+v (asked for %d:%d)", loc, asked[0], asked[1])
	}
	// A bind mount of a subdirectory: paths start from the mounted root.
	os.WriteFile(r.MountInfo, []byte("22 1 0:5 /photos\\040dir /dev/shm rw - tmpfs tmpfs rw\n"), 0o644)
	loc = r.Resolve(filepath.Join(dir, "f"))
	if loc.Path != "/photos dir/"+filepath.Base(dir)+"/f" {
		t.Fatalf("bind mount: %+v", loc)
	}
	// A device the daemon cannot name goes to the root tree.
	r.TreeForDevice = func(uint32, uint32) (string, error) { return "", nil }
	if loc := r.Resolve(filepath.Join(dir, "f")); loc.Tree != "root" || loc.Path != filepath.Join(dir, "f") {
		t.Fatalf("unnamed volume: %+v", loc)
	}
}

func TestMountinfoUnescapes(t *testing.T) {
	if got := UnescapeOctal(`/a\040b\134c\011`); got != "/a b\\c\t" {
		t.Fatalf("%q", got)
	}
}

func TestMountOfTreeFindsTheVolumeMountedWhole(t *testing.T) {
	dir := t.TempDir()
	udev := filepath.Join(dir, "udev")
	if err := os.MkdirAll(udev, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"b8:17": "E:ID_FS_UUID_ENC=2F1C-93AB\n", "b8:33": "E:ID_FS_LABEL_ENC=Backup\n"} {
		if err := os.WriteFile(filepath.Join(udev, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mountinfo := filepath.Join(dir, "mountinfo")
	lines := "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n" +
		"40 22 8:17 /sub /srv/bind rw - vfat /dev/sdb1 rw\n" +
		"41 22 8:17 / /media/u/USB\\040STICK rw - vfat /dev/sdb1 rw\n"
	if err := os.WriteFile(mountinfo, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, ok := MountOfTree(udev, mountinfo, "uuid-2F1C-93AB"); !ok || got != "/media/u/USB STICK" {
		t.Errorf("uuid-2F1C-93AB: %q, %v; want the whole mount, unescaped", got, ok)
	}
	if got, ok := MountOfTree(udev, mountinfo, "label-Backup"); ok {
		t.Errorf("label-Backup is not mounted, found at %q", got)
	}
}
