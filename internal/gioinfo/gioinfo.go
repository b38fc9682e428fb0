// SPDX-License-Identifier: LGPL-2.0-or-later

// Package gioinfo reads what the real C client shows: the metadata lines of
// `gio info -a 'metadata::*'`, which come from the gvfs GIO module reading
// tree and journal files itself. It is how tests observe, without our own
// reader, that files are readable by every GIO application.
package gioinfo

import (
	"fmt"
	"strings"

	"gvfs-metadata/internal/session"
)

// Metadata maps a key (without the "metadata::" prefix) to the value as gio
// prints it: a string raw, a list as "[a, b]".
type Metadata map[string]string

// Parse splits the output of `gio info -a 'metadata::*' F1 F2 ...` into one
// Metadata per file, in argument order. Each file's block starts with a
// "uri: " line. Values are kept exactly, trailing spaces included; values
// or names holding newlines cannot be told apart in this format.
func Parse(out string) ([]Metadata, error) {
	var blocks []Metadata
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "uri: ") {
			blocks = append(blocks, Metadata{})
			continue
		}
		rest, ok := strings.CutPrefix(line, "  metadata::")
		if !ok {
			continue
		}
		if len(blocks) == 0 {
			return nil, fmt.Errorf("metadata line before any uri line: %q", line)
		}
		key, value, ok := strings.Cut(rest, ": ")
		if !ok {
			return nil, fmt.Errorf("unparsable metadata line %q", line)
		}
		b := blocks[len(blocks)-1]
		if _, dup := b[key]; dup {
			return nil, fmt.Errorf("key %q printed twice for one file", key)
		}
		b[key] = value
	}
	return blocks, nil
}

// FormatList renders a list the way gio prints it.
func FormatList(items []string) string { return "[" + strings.Join(items, ", ") + "]" }

// Query runs gio info inside a session on files (absolute paths) and
// returns their metadata in order, in batches of at most 500 files.
func Query(s *session.Session, files ...string) ([]Metadata, error) {
	var all []Metadata
	for len(files) > 0 {
		n := min(len(files), 500)
		out, _, err := s.Gio(append([]string{"info", "-a", "metadata::*"}, files[:n]...)...)
		if err != nil {
			return nil, err
		}
		blocks, err := Parse(out)
		if err != nil {
			return nil, err
		}
		if len(blocks) != n {
			return nil, fmt.Errorf("gio info printed %d files, asked for %d", len(blocks), n)
		}
		all = append(all, blocks...)
		files = files[n:]
	}
	return all, nil
}
