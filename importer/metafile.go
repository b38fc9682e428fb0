// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"unicode/utf8"

	"gvfs-metadata/compat/resolve"
)

// Metafile is one legacy metafile, read and checked.
type Metafile struct {
	Path string // where it was read from
	// Dir is the directory it holds metadata for. Usable is false when
	// the file name does not decode to a location this package imports
	// (see Problems for why); Entries are still read.
	Dir    Location
	Usable bool
	// Entries are the <file> elements, one per name: a repeated name
	// replaces the earlier entry in place (the last one wins).
	Entries  []Entry
	Problems []Problem
}

// ReadMetafile reads and parses the metafile at path. Problems found on
// the way are in the result; err is set only when the file cannot be
// read at all.
func ReadMetafile(path string) (*Metafile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := &Metafile{Path: path}
	m.locate()
	index := map[string]int{}
	Parse(f, path, func(e Entry) {
		if i, dup := index[e.Name]; dup {
			m.problem(e.Line, Warning, "another entry for \"%s\" (first at line %d); the last one wins", printable(e.Name), m.Entries[i].Line)
			m.Entries[i] = e
			return
		}
		if !utf8.ValidString(e.Name) {
			m.problem(e.Line, Warning, "name \"%s\" is not UTF-8 (a legacy encoding?); imported under these bytes", printable(e.Name))
		}
		index[e.Name] = len(m.Entries)
		m.Entries = append(m.Entries, e)
	}, func(p Problem) { m.Problems = append(m.Problems, p) })
	return m, nil
}

// locate decodes the directory from the file name.
func (m *Metafile) locate() {
	uri, err := URIFromFileName(m.Path)
	if err != nil {
		m.problem(0, Error, "%v; nothing in it imported", err)
		return
	}
	loc, err := ParseLocation(uri)
	var unsupported *resolve.UnsupportedError
	switch {
	case errors.As(err, &unsupported):
		// Desktop icons, computer:/// and the like: a known end, not a
		// failure.
		m.Dir = Location{URI: uri}
		m.problem(0, Warning, "%s skipped: %v", printable(uri), err)
		return
	case err != nil:
		m.problem(0, Error, "file name decodes to \"%s\", which is %v; nothing in it imported", printable(uri), err)
		return
	}
	m.Dir, m.Usable = loc, true
	if !utf8.ValidString(uri) {
		m.problem(0, Warning, "directory %s is not UTF-8 (a legacy encoding?); imported under these bytes", loc.Display())
	}
	if loc.IsLocal() {
		if _, err := os.Lstat(loc.Local); errors.Is(err, fs.ErrNotExist) {
			m.problem(0, Warning, "directory %s no longer exists; imported anyway", loc.Display())
		}
	}
}

func (m *Metafile) problem(line int, sev Severity, format string, args ...any) {
	m.Problems = append(m.Problems, Problem{File: m.Path, Line: line, Severity: sev, Msg: fmt.Sprintf(format, args...)})
}

// Skipped reports whether the metafile's location is one that has no
// gvfs metadata (rather than a broken name).
func (m *Metafile) Skipped() bool { return !m.Usable && m.Dir.URI != "" }
