// SPDX-License-Identifier: LGPL-2.0-or-later

// Package version tells which release a binary is. The number is written
// once, in meson.build, which stamps it into both binaries with
// -ldflags "-X gvfs-metadata/internal/version.number=...".
package version

import "runtime/debug"

// number is the release, set at link time; empty in a plain `go build`.
var number string

// String is the release number, or, for a build that did not go through
// meson, "devel" with the commit it was built from when Go recorded one.
func String() string {
	if number != "" {
		return number
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	switch {
	case rev == "":
		return "devel"
	case dirty:
		return "devel (" + rev + ", modified)"
	}
	return "devel (" + rev + ")"
}
