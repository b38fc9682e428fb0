// SPDX-License-Identifier: LGPL-2.0-or-later

package protocol

// The metadata service's names on the session bus, the reference's.
const (
	BusName    = "org.gtk.vfs.Metadata"
	ObjectPath = "/org/gtk/vfs/metadata"
	Interface  = "org.gtk.vfs.Metadata"
)
