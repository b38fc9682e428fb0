// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"strings"
)

// D-Bus error names. GIO errors travel as GDBus "unmapped" errors named
// after the GIOError quark and code; clients strip the name and show the
// message, so both must be the reference's, word for word. The msg
// constants are the reference's gettext msgids (see catalog.go).
const (
	errIOFailed       = "org.gtk.GDBus.UnmappedGError.Quark._g_2dio_2derror_2dquark.Code0" // G_IO_ERROR_FAILED
	errIONotFound     = "org.gtk.GDBus.UnmappedGError.Quark._g_2dio_2derror_2dquark.Code1" // G_IO_ERROR_NOT_FOUND
	errInvalidArgs    = "org.freedesktop.DBus.Error.InvalidArgs"
	errUnknownMeth    = "org.freedesktop.DBus.Error.UnknownMethod"
	errFailedDBus     = "org.freedesktop.DBus.Error.Failed"
	errLimitsExceeded = "org.freedesktop.DBus.Error.LimitsExceeded"
	errNotSupported   = "org.freedesktop.DBus.Error.NotSupported"
	msgSetFailed      = "Unable to set metadata key"
	msgUnsetFailed    = "Unable to unset metadata key"
	msgRemoveFailed   = "Unable to remove metadata keys"
	msgMoveFailed     = "Unable to move metadata keys"
	msgNotFound       = "Can’t find metadata file %s"
)

// callError is a D-Bus error reply.
type callError struct {
	name, msg string
}

func (e *callError) Error() string { return e.name + ": " + e.msg }

func notFound(treefile string) *callError {
	if len(treefile) > 4096 {
		treefile = treefile[:4096] + "…"
	}
	return &callError{errIONotFound, fmt.Sprintf(messages().tr(msgNotFound), strings.ToValidUTF8(treefile, "\uFFFD"))}
}

// failed is a G_IO_ERROR_FAILED with one of the msg constants, in the
// daemon's language.
func failed(msgid string) *callError { return &callError{errIOFailed, messages().tr(msgid)} }

// invalidArgs builds an InvalidArgs error. Client strings in the message
// are cut short and made UTF-8: a D-Bus string must be valid UTF-8, and a
// reply that cannot be sent would leave the caller waiting.
func invalidArgs(format string, args ...any) *callError {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = printable(s)
		}
	}
	return &callError{errInvalidArgs, fmt.Sprintf(format, args...)}
}

// printable shortens a client string and replaces bytes that are not
// UTF-8, for use in a D-Bus message.
func printable(s string) string {
	const max = 200
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// brief quotes a client-supplied string for a log line, cut short: a
// client must not be able to fill the journal with one call.
func brief(s string) string {
	const max = 120
	if len(s) > max {
		return fmt.Sprintf("%q... (%d bytes)", s[:max], len(s))
	}
	return fmt.Sprintf("%q", s)
}
