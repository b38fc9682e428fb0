// SPDX-License-Identifier: LGPL-2.0-or-later

// Package e2e holds the end-to-end tests that drive the real C client
// (gio, through the gvfs GIO module) and the Debian reference daemon on a
// private session bus, against files and daemons of this project.
package e2e
