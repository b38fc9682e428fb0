// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// expiring is a fixture whose follower forgets files missing a day, on a
// fake clock, with fstab and mountinfo of the test's own.
func expiring(t *testing.T, fstab, mountinfo string) (*fixture, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Unix(1_800_000_000, 0)}
	x := &fixture{t: t, top: t.TempDir(), tree: newMemTree(), name: "/data/gvfs-metadata/home"}
	x.top, _ = filepath.EvalSymlinks(x.top)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f, err := Start(Config{Grace: testGrace, Logf: t.Logf, ForgetMissingAfter: 24 * time.Hour, Now: clock.Now,
		Fstab: write("fstab", fstab), Mountinfo: write("mountinfo", mountinfo)})
	if err != nil {
		t.Fatal(err)
	}
	x.f = f
	t.Cleanup(f.Close)
	return x, clock
}

func TestMissingFilesAreForgottenAfterTheirTime(t *testing.T) {
	x, clock := expiring(t, "", "")
	x.file("docs/gone.txt", "G")
	x.file("docs/kept.txt", "K")
	x.follow()
	if err := os.Remove(x.path("docs/gone.txt")); err != nil {
		t.Fatal(err)
	}
	x.tree.set("/docs/ghost", "never had a file")
	// A deletion is seen by a scan (a rescan follows a removed watched
	// directory, an overflow, a start).
	x.f.rescanNow()
	x.settle()
	clock.advance(23 * time.Hour)
	if n := x.f.Expire(); n != 0 {
		t.Fatalf("%d forgotten after 23 h, want none", n)
	}
	clock.advance(2 * time.Hour)
	if n := x.f.Expire(); n != 2 {
		t.Errorf("%d forgotten after 25 h, want 2 (the deleted file and the path that never had one)", n)
	}
	x.want(map[string]string{"/docs/gone.txt": "", "/docs/ghost": "", "/docs/kept.txt": "K"})
	if s := x.f.Status(); s.Expired != 2 || s.Trees[0].Unfound != 0 {
		t.Errorf("status after expiry: %+v", s)
	}
}

func TestFilesBelowAnEmptyMountPointAreNeverForgotten(t *testing.T) {
	top := t.TempDir()
	top, _ = filepath.EvalSymlinks(top)
	fstab := "UUID=1234 " + filepath.Join(top, "backup") + " ext4 defaults,noauto 0 2\n"
	x, clock := expiring(t, fstab, "")
	x.top = top
	x.file("backup/photo.jpg", "B")
	x.file("home/note.txt", "N")
	x.follow()
	for _, p := range []string{"backup/photo.jpg", "home/note.txt"} {
		if err := os.Remove(x.path(p)); err != nil {
			t.Fatal(err)
		}
	}
	x.f.rescanNow()
	x.settle()
	clock.advance(48 * time.Hour)
	if n := x.f.Expire(); n != 1 {
		t.Errorf("%d forgotten, want 1", n)
	}
	x.want(map[string]string{"/backup/photo.jpg": "B", "/home/note.txt": ""})
}

func TestMountTableTellsAbsentVolumes(t *testing.T) {
	m := mountTable{declared: []string{"/srv/data"}, mounted: map[string]bool{"/": true, "/media/u/USB": true}}
	for path, want := range map[string]bool{
		"/srv/data/x":         true,  // declared, not mounted
		"/srv/other/x":        false, // not a mount point
		"/media/u/USB/a.jpg":  false, // mounted
		"/media/u/DISK/a.jpg": true,  // removable media not mounted
		"/run/media/u/X/y":    true,
		"/home/u/a.txt":       false,
	} {
		if got := m.absent(path); got != want {
			t.Errorf("absent(%s) = %v, want %v", path, got, want)
		}
	}
}
