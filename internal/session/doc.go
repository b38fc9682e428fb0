// SPDX-License-Identifier: LGPL-2.0-or-later

// Package session runs a private D-Bus session bus with its own home and
// data directories, so tests can drive the real gio client and a metadata
// daemon (the reference one or ours) through D-Bus activation, exactly as a
// desktop session does, without touching the user's files or bus.
package session
