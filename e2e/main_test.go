// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ourDaemon is this project's gvfsd-metadata, built once for the tests
// with the race detector; ourDaemonPlain without it, for measuring memory.
var ourDaemon, ourDaemonPlain string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gvfsd-metadata-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ourDaemon = filepath.Join(dir, "race", "gvfsd-metadata")
	ourDaemonPlain = filepath.Join(dir, "plain", "gvfsd-metadata")
	for _, b := range [][]string{{"-race", "-o", ourDaemon}, {"-o", ourDaemonPlain}} {
		build := exec.Command("go", append(append([]string{"build"}, b...), "gvfs-metadata/gvfsd-metadata")...)
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building gvfsd-metadata:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
