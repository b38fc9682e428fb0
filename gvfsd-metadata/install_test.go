// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gvfs-metadata/compat/gioinfo"
	"gvfs-metadata/compat/session"
)

// TestMesonInstallsAnActivatableDaemon builds and installs with meson into
// a fresh prefix, checks the activation files name the installed daemon,
// and uses the installed D-Bus service file to activate it for gio.
func TestMesonInstallsAnActivatableDaemon(t *testing.T) {
	session.Require(t)
	if _, err := exec.LookPath("meson"); err != nil {
		msg := "needs meson (apt-get install -y meson)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; outside CI only") // under CI the line above fails instead
	}
	tmp := t.TempDir()
	prefix := filepath.Join(tmp, "prefix")
	build := filepath.Join(tmp, "build")
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("meson", args...)
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("meson %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("setup", build, "--prefix="+prefix, "--libexecdir=libexec")
	run("compile", "-C", build)
	run("install", "-C", build)

	daemon := filepath.Join(prefix, "libexec", "gvfsd-metadata")
	if st, err := os.Stat(daemon); err != nil || st.Mode()&0o111 == 0 {
		t.Fatalf("daemon not installed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(prefix, "bin", "gvfs-meta")); err != nil {
		t.Fatalf("gvfs-meta not installed: %v", err)
	}
	service := filepath.Join(prefix, "share", "dbus-1", "services", "org.gtk.vfs.Metadata.service")
	b, err := os.ReadFile(service)
	if err != nil || !strings.Contains(string(b), "Exec="+daemon+"\n") || !strings.Contains(string(b), "SystemdService=gvfs-metadata.service") {
		t.Fatalf("D-Bus service file: %v\n%s", err, b)
	}
	unit, err := os.ReadFile(filepath.Join(prefix, "lib", "systemd", "user", "gvfs-metadata.service"))
	for _, want := range []string{"ExecStart=" + daemon + "\n", "Type=dbus\n", "BusName=org.gtk.vfs.Metadata\n", "PartOf=graphical-session.target\n", "Slice=session.slice\n"} {
		if err != nil || !strings.Contains(string(unit), want) {
			t.Fatalf("systemd unit lacks %q: %v\n%s", want, err, unit)
		}
	}

	s, err := session.Start(session.Options{ServiceFile: service})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := filepath.Join(s.Home, "f")
	os.WriteFile(f, nil, 0o644)
	if _, _, err := s.Gio("set", f, "metadata::installed", "yes"); err != nil {
		t.Fatal(err)
	}
	md, err := gioinfo.Query(s, f)
	if err != nil || md[0]["installed"] != "yes" {
		t.Fatalf("gio through the installed daemon: %v %v", md, err)
	}
	pid, err := s.NameOwnerPID("org.gtk.vfs.Metadata")
	if err != nil {
		t.Fatal(err)
	}
	if exe, _ := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe")); exe != daemon {
		t.Fatalf("the name is owned by %s, want the installed %s", exe, daemon)
	}
}
