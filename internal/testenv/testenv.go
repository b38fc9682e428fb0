// SPDX-License-Identifier: LGPL-2.0-or-later

// Package testenv is what the tests share about their environment: the
// rule for a test whose tools are missing (fail under CI, skip elsewhere),
// the tools a session with the reference daemon needs, this project's
// daemon built once per test binary, a clock tests move by hand, and a
// search of files for bytes that must be gone.
//
// Only tests import it: it links package testing, which no shipped
// program or tool may.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"gvfs-metadata/internal/session"
)

// Unavailable stops a test that cannot run here, saying why: it fails
// under CI (CI is set), where everything the suite needs is installed,
// and skips on a developer machine.
func Unavailable(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg + "; outside CI only") // under CI the line above fails instead
}

// RequireSession stops a test that needs the reference tools (see
// session.Missing) when they are not installed.
func RequireSession(t testing.TB) {
	t.Helper()
	if missing := session.Missing(); len(missing) > 0 {
		Unavailable(t, fmt.Sprintf("needs the reference gvfs tools, missing: %v (apt-get install -y dbus libglib2.0-bin gvfs gvfs-daemons gvfs-libs)", missing))
	}
}

// RequireCommand stops a test that needs the program name when it is not
// in PATH; install says how to get it.
func RequireCommand(t testing.TB, name, install string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		Unavailable(t, fmt.Sprintf("needs %s, which is not installed (%s)", name, install))
	}
}

// Build is one way of building the daemon.
type Build int

const (
	Plain Build = iota // as shipped, for measuring
	Race               // with the race detector, for checking
)

var builds struct {
	sync.Mutex
	dir  string
	bins map[Build]string
}

// Daemon returns this project's gvfsd-metadata, built the way b says the
// first time a test of this binary asks for it. Run removes it.
func Daemon(t testing.TB, b Build) string {
	t.Helper()
	bin, err := BuildDaemon(b)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// BuildDaemon is Daemon for a TestMain, which has no test to fail.
func BuildDaemon(b Build) (string, error) {
	builds.Lock()
	defer builds.Unlock()
	if bin, ok := builds.bins[b]; ok {
		return bin, nil
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "gvfsd-metadata-test")
		if err != nil {
			return "", err
		}
		builds.dir, builds.bins = dir, map[Build]string{}
	}
	args := []string{"build"}
	name := "plain"
	if b == Race {
		args, name = append(args, "-race"), "race"
	}
	bin := filepath.Join(builds.dir, name, "gvfsd-metadata")
	out, err := exec.Command("go", append(args, "-o", bin, "gvfs-metadata/gvfsd-metadata")...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building gvfsd-metadata: %v\n%s", err, out)
	}
	builds.bins[b] = bin
	return bin, nil
}

// Run runs a package's tests (from its TestMain), removes the daemons
// they built, and returns the exit code.
func Run(m *testing.M) int {
	code := m.Run()
	builds.Lock()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	builds.Unlock()
	return code
}
