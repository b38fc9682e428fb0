// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gvfs-metadata/internal/gioinfo"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
)

// TestMesonInstallsAnActivatableDaemon builds and installs with meson into
// a fresh prefix, checks the activation files name the installed daemon,
// and uses the installed D-Bus service file to activate it for gio.
func TestMesonInstallsAnActivatableDaemon(t *testing.T) {
	testenv.RequireSession(t)
	testenv.RequireCommand(t, "meson", "apt-get install -y meson")
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

	checkInstalledDocs(t, prefix, build)

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

// checkInstalledDocs checks what meson installs besides the programs: both
// manual pages render without a warning, the completion scripts load in
// their shells, and both programs say the version meson.build gives.
func checkInstalledDocs(t *testing.T, prefix, build string) {
	t.Helper()
	info, err := exec.Command("meson", "introspect", "--projectinfo", build).Output()
	var project struct{ Version string }
	if err != nil || json.Unmarshal(info, &project) != nil || project.Version == "" {
		t.Fatalf("meson introspect: %v %s", err, info)
	}
	for _, prog := range []string{filepath.Join(prefix, "libexec", "gvfsd-metadata"), filepath.Join(prefix, "bin", "gvfs-meta")} {
		out, err := exec.Command(prog, "--version").Output()
		if want := " " + project.Version + "\n"; err != nil || !strings.HasSuffix(string(out), want) {
			t.Errorf("%s --version: %q %v, want the version of meson.build (%s)", prog, out, err, project.Version)
		}
	}
	for page, want := range map[string][]string{
		"man1/gvfs-meta.1":      {"gvfs-meta mv [--metadata-only] SRC DST", "gvfs-meta status [--json]", "EXIT STATUS"},
		"man8/gvfsd-metadata.8": {filepath.Join(prefix, "libexec", "gvfsd-metadata") + " [OPTION...]", "--replace", "--close-trees=DURATION"},
	} {
		cmd := exec.Command("man", "--warnings", "-l", filepath.Join(prefix, "share", "man", page))
		cmd.Env = append(os.Environ(), "MANWIDTH=200", "MAN_KEEP_FORMATTING=0", "MANPAGER=cat", "PAGER=cat")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		text := stripOverstrike(string(out))
		if err != nil || stderr.Len() > 0 {
			t.Errorf("man -l %s: %v\n%s", page, err, stderr.String())
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("man -l %s lacks %q:\n%s", page, w, text)
			}
		}
	}
	completions := filepath.Join(prefix, "share")
	bash := `source "$1" && complete -p gvfs-meta && COMP_WORDS=(gvfs-meta st) COMP_CWORD=1 && _gvfs_meta && echo "${COMPREPLY[*]}"`
	out, err := exec.Command("bash", "-c", bash, "bash", filepath.Join(completions, "bash-completion", "completions", "gvfs-meta")).CombinedOutput()
	if err != nil || string(out) != "complete -o default -F _gvfs_meta gvfs-meta\nstats status\n" {
		t.Errorf("bash completion: %v\n%s", err, out)
	}
	if out, err := exec.Command("zsh", "-n", filepath.Join(completions, "zsh", "site-functions", "_gvfs-meta")).CombinedOutput(); err != nil {
		t.Errorf("zsh -n: %v\n%s", err, out)
	}
	fish := filepath.Join(completions, "fish", "vendor_completions.d", "gvfs-meta.fish")
	out, err = exec.Command("fish", "-c", `source $argv[1]; complete -C"gvfs-meta dump --j"`, fish).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "--json\t") {
		t.Errorf("fish completion: %v\n%s", err, out)
	}
}

// stripOverstrike removes man's bold and underline overstrikes (X\bX, _\bX).
func stripOverstrike(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i := 0; i < len(r); i++ {
		if i+1 < len(r) && r[i+1] == '\b' {
			i++
			continue
		}
		b.WriteRune(r[i])
	}
	return b.String()
}

// TestPerUserInstallSwitchesTheRunningSession runs scripts/install-user in
// a session bus set up as a desktop's is (the system's service files, the
// user's own) where the C daemon already serves: this daemon takes over
// with the metadata, the bus starts it again after it exits (the bus
// re-read its service files), and --uninstall hands the session back to
// the C daemon, nothing lost. The session has no user systemd, as in CI;
// with one, the script also overrides the unit.
func TestPerUserInstallSwitchesTheRunningSession(t *testing.T) {
	testenv.RequireSession(t)
	home := t.TempDir()
	script := `
set -euo pipefail
owner() {
  for _ in $(seq 100); do
    pid=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
      --method org.freedesktop.DBus.GetConnectionUnixProcessID org.gtk.vfs.Metadata 2>/dev/null | sed "s/.*uint32 \([0-9]*\).*/\1/") || true
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || true
    if [ -n "$pid" ] && [ "$exe" = "$1" ]; then echo "$pid"; return; fi
    sleep 0.1
  done
  echo "the name is not owned by $1 (pid ${pid:-none}, ${exe:-})" >&2
  return 1
}
f=$HOME/doc.txt
touch "$f"
gio set "$f" metadata::before yes
owner /usr/libexec/gvfsd-metadata >/dev/null
scripts/install-user >/dev/null
ours=$HOME/.local/libexec/gvfsd-metadata
pid=$(owner "$ours")
gio set "$f" metadata::after yes
kill -TERM "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
gio set "$f" metadata::again yes # activation, from the user's service file
owner "$ours" >/dev/null
scripts/install-user --uninstall >/dev/null
owner /usr/libexec/gvfsd-metadata >/dev/null
gio info -a 'metadata::*' "$f" | grep -c ': yes$'
`
	cmd := exec.Command("dbus-run-session", "--", "bash", "-c", script)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_RUNTIME_DIR="+home, "XDG_BIN_HOME=")
	for _, v := range []string{"GOCACHE", "GOMODCACHE"} { // the user's, not the new HOME's
		dir, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Env = append(cmd.Env, v+"="+strings.TrimSpace(string(dir)))
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || strings.TrimSpace(string(out)) != "3" {
		t.Fatalf("%v: %q, want all 3 keys kept\n%s", err, out, stderr.String())
	}
}

// TestMesonBuildsOfflineAndInstallOnlyCopies builds with -Doffline in a
// network namespace of its own (no network at all) and a HOME without a
// module cache, as a package build has it, then installs into a DESTDIR:
// the install copies and runs no build step.
func TestMesonBuildsOfflineAndInstallOnlyCopies(t *testing.T) {
	if _, err := exec.LookPath("meson"); err != nil {
		t.Fatal("needs meson (scripts/setup installs it)")
	}
	if err := exec.Command("unshare", "-n", "true").Run(); err != nil {
		t.Fatalf("needs unshare -n (root, or CAP_SYS_ADMIN) to take the network away: %v", err)
	}
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	gocache, err := exec.Command("go", "env", "GOCACHE").Output() // compiled packages only: spares time
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	build, dest := filepath.Join(tmp, "build"), filepath.Join(tmp, "dest")
	offline := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("unshare", append([]string{"-n", "meson"}, args...)...)
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "HOME="+filepath.Join(tmp, "home"), "DESTDIR="+dest,
			"GOPROXY=https://proxy.golang.org", "GOCACHE="+strings.TrimSpace(string(gocache)))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("meson %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	offline("setup", build, "--prefix=/usr", "-Doffline=true", "-Dgo_modcache="+strings.TrimSpace(string(modcache)), "-Dtests=false")
	offline("compile", "-C", build)
	built, err := os.Stat(filepath.Join(build, "gvfsd-metadata"))
	if err != nil {
		t.Fatal(err)
	}
	out := offline("install", "-C", build)
	if !strings.Contains(out, "ninja: no work to do") {
		t.Errorf("meson install ran build steps:\n%s", out)
	}
	after, err := os.Stat(filepath.Join(build, "gvfsd-metadata"))
	if err != nil || !after.ModTime().Equal(built.ModTime()) {
		t.Errorf("meson install rebuilt the daemon: %v", err)
	}
	for _, f := range []string{"usr/libexec/gvfsd-metadata", "usr/bin/gvfs-meta", "usr/share/man/man1/gvfs-meta.1", "usr/share/man/man8/gvfsd-metadata.8"} {
		if _, err := os.Stat(filepath.Join(dest, f)); err != nil {
			t.Errorf("not installed: %v", err)
		}
	}
}
