// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"slices"

	"gvfs-metadata/format"
)

// entryRuns holds the journal entries a rotation merges as runs of whole
// entries, in order: the copy of the journal, then the entries of a write
// that found no room there. Keeping the write's run where it was encoded
// spares a copy as large as the write. A run's bytes never change once
// the rotation holds them: overlays share them (see replay).
type entryRuns [][]byte

// size is the number of bytes in all runs.
func (runs entryRuns) size() int {
	n := 0
	for _, run := range runs {
		n += len(run)
	}
	return n
}

// each decodes the entries in order and calls fn with each. It is the
// one place runs are split into entries.
func (runs entryRuns) each(fn func(e *format.Entry) error) error {
	for _, run := range runs {
		for off := 0; off < len(run); {
			e, err := format.DecodeEntry(run, uint32(off))
			if err != nil {
				return err
			}
			if err := fn(&e); err != nil {
				return err
			}
			off += int(e.Size)
		}
	}
	return nil
}

// newestFirst returns the entries' bytes newest first, as a view holds
// them. Entries of a run are whole: e.Offset and e.Size are within it.
func (runs entryRuns) newestFirst() [][]byte {
	var out [][]byte
	for _, run := range runs {
		entryRuns{run}.each(func(e *format.Entry) error {
			out = append(out, run[e.Offset:e.Offset+e.Size])
			return nil
		})
	}
	slices.Reverse(out)
	return out
}
