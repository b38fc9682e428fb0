// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

// Stats counts what an import did.
type Stats struct {
	Directories        int // metafiles whose entries were imported
	SkippedDirectories int // metafiles whose location cannot be imported
	Files              int // entries imported (after duplicates are merged)
	Set                int // keys written (or, in a dry run, to be written)
	Kept               int // keys the file already had, left as they were
	Skipped            int // keys with no translation, left out
	// Unknown counts the skipped keys by name.
	Unknown  map[string]int
	Errors   int
	Warnings int
}

func (s *Stats) count(p Problem) {
	if p.Severity == Error {
		s.Errors++
	} else {
		s.Warnings++
	}
}

func (s *Stats) unknown(key string) {
	if s.Unknown == nil {
		s.Unknown = map[string]int{}
	}
	s.Unknown[key]++
	s.Skipped++
}
