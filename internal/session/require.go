// SPDX-License-Identifier: LGPL-2.0-or-later

package session

import (
	"os/exec"
	"path/filepath"
)

// Reference binaries from Debian's gvfs-daemons, libglib2.0-bin and dbus.
const (
	ReferenceDaemon = "/usr/libexec/gvfsd-metadata"
	GvfsDaemon      = "/usr/libexec/gvfsd"
)

// Tools lists the programs a session needs (testenv.RequireSession
// stops a test without them).
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
