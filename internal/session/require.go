// SPDX-License-Identifier: LGPL-2.0-or-later

package session

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Reference binaries from Debian's gvfs-daemons, libglib2.0-bin and dbus.
const (
	ReferenceDaemon = "/usr/libexec/gvfsd-metadata"
	GvfsDaemon      = "/usr/libexec/gvfsd"
)

// Tools lists the programs a session needs; see Require.
var Tools = []string{"dbus-daemon", "gio", "gdbus", ReferenceDaemon, GvfsDaemon}

// gioModule is the gvfs GIO module (Debian's gvfs package): without it gio
// neither reads nor writes metadata ("Setting attribute metadata::k not
// supported"), whichever daemon runs.
const gioModule = "/usr/lib/*/gio/modules/libgvfsdbus.so"

// Missing returns the tools from Tools, and the gvfs GIO module, that are
// not installed.
func Missing() []string {
	var missing []string
	for _, tool := range Tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if found, _ := filepath.Glob(gioModule); len(found) == 0 {
		missing = append(missing, gioModule)
	}
	return missing
}

// Require stops a test that needs the reference tools when they are not
// installed: it fails under CI (CI is set), where they must be, and skips,
// saying why, on a developer machine without them.
func Require(t testing.TB) {
	t.Helper()
	missing := Missing()
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("needs the reference gvfs tools, missing: %v (apt-get install -y dbus libglib2.0-bin gvfs gvfs-daemons gvfs-libs)", missing)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg + "; outside CI only") // under CI the line above fails instead
}
