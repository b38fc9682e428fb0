// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import "fmt"

// Severity says whether a problem lost anything.
type Severity int

const (
	// Warning: handled by a rule and nothing was lost (a repeated entry,
	// a directory that is gone, a name in a legacy encoding, a location
	// that has no gvfs metadata).
	Warning Severity = iota
	// Error: something in the metafile was not imported.
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Problem is one thing wrong with a metafile or its import.
type Problem struct {
	File     string // the metafile
	Line     int    // 0 when it is about the file as a whole (its name, its location)
	Severity Severity
	Msg      string
}

func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Severity, p.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", p.File, p.Severity, p.Msg)
}
