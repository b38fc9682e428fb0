package main

import "fmt"

// D-Bus error names. GIO errors travel as GDBus "unmapped" errors named
// after the GIOError quark and code; clients strip the name and show the
// message, so both must be the reference's, word for word.
const (
	errIOFailed     = "org.gtk.GDBus.UnmappedGError.Quark._g_2dio_2derror_2dquark.Code0" // G_IO_ERROR_FAILED
	errIONotFound   = "org.gtk.GDBus.UnmappedGError.Quark._g_2dio_2derror_2dquark.Code1" // G_IO_ERROR_NOT_FOUND
	errInvalidArgs  = "org.freedesktop.DBus.Error.InvalidArgs"
	errUnknownMeth  = "org.freedesktop.DBus.Error.UnknownMethod"
	errFailedDBus   = "org.freedesktop.DBus.Error.Failed"
	msgSetFailed    = "Unable to set metadata key"
	msgUnsetFailed  = "Unable to unset metadata key"
	msgRemoveFailed = "Unable to remove metadata keys"
	msgMoveFailed   = "Unable to move metadata keys"
)

// callError is a D-Bus error reply.
type callError struct {
	name, msg string
}

func (e *callError) Error() string { return e.name + ": " + e.msg }

func notFound(treefile string) *callError {
	return &callError{errIONotFound, "Can’t find metadata file " + treefile}
}

func failed(msg string) *callError { return &callError{errIOFailed, msg} }

func invalidArgs(format string, args ...any) *callError {
	return &callError{errInvalidArgs, fmt.Sprintf(format, args...)}
}
