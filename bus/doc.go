// SPDX-License-Identifier: LGPL-2.0-or-later

// Package bus is gvfsd-metadata's connection to the D-Bus session bus: the
// bus address, the EXTERNAL handshake, message framing, and a codec for
// the few D-Bus types the metadata protocol carries.
//
// It exists for speed. A general D-Bus library decodes every message into
// maps of variants by reflection, which cost the daemon more than storing
// a Set does; here a call's header is read into plain fields and its
// arguments are read straight off the wire by the code that needs them.
//
// It never interprets a call: answering is the daemon's job. Everything
// read from the socket is checked before use; a malformed message is an
// error, never a panic or an out-of-bounds read.
package bus
