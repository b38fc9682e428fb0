// SPDX-License-Identifier: LGPL-2.0-or-later

package store

// Stats describes a store's files.
type Stats struct {
	TreeBytes      int
	TreeTag        uint32
	JournalPath    string
	JournalBytes   int
	JournalUsed    int // bytes of header and valid entries
	JournalEntries int
	JournalBroken  error // first invalid entry, if any
	Rotations      int   // rotations this store performed
	LastRotation   int64 // when this store last rotated, Unix seconds (0 = never)
	RotationError  error // why the last rotation failed, if it did
	CoWriter       CoWriterStats
}

// Stats reports sizes and fill of the tree and journal.
func (s *Store) Stats() (Stats, error) {
	var st Stats
	err := s.read(func(view) {
		if s.tree != nil {
			st.TreeBytes = len(s.tree.t.Bytes())
			st.TreeTag = s.tree.t.Tag()
		}
		if s.journal != nil {
			j := s.journal.j
			st.JournalPath = s.journal.path
			st.JournalBytes = j.Size()
			st.JournalUsed = int(j.End())
			st.JournalEntries = j.Len()
			st.JournalBroken = j.Broken()
		}
		st.Rotations = s.rot.count
		if !s.rot.last.IsZero() {
			st.LastRotation = s.rot.last.Unix()
		}
		st.RotationError = s.rot.err
		st.CoWriter = s.others.CoWriterStats
	})
	return st, err
}
