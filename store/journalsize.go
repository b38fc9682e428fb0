// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"time"

	"gvfs-metadata/format"
)

// How big a new journal is, and when the rotation that empties it starts.
//
// Every GIO application walks the whole journal on each metadata lookup
// (with the C client, a 1,000-file listing costs about 7 µs more per
// journal entry), so readers pay for the entries in a journal, never for
// its capacity; and a write is answered only once it is in the journal,
// so a journal must have room for everything written while a rotation
// runs, or writers wait.
//
// When writes are few, the rotation starts at three quarters of the
// steady 32 KiB journal (the reference's size, about 300 entries), as it
// always did. A journal's capacity is that much plus room for the writes
// that arrive while the tree is rebuilt: twice what was written while the
// last rotation ran (a burst that outruns one rotation carries that much
// into the next journal, which then takes as much again), or what a
// client writing at bus speed would write in the time the last rotation
// took, whichever is more.
//
// In a burst (a rotation starting within burstWindow of the last swap)
// rotations would otherwise run back to back, each rewriting the tree for
// a few hundred entries: the journal is made as large as journals get and
// its rotation starts only when the room is all that is left. A burst
// rotates a tenth as often, and readers walk at most the cap: about
// 3,200 entries of a typical Set, 24 ms more for that 1,000-file listing.
// A writer that had to wait also gets the cap next time.

const (
	// SteadyJournalSize is the size of a journal when writes are few.
	SteadyJournalSize = format.NewJournalSize
	// MaxJournalSize is the largest journal made (unless the steady size
	// chosen is larger).
	MaxJournalSize = 256 << 10
	// busRate is a client writing back to back at the speed of the
	// session bus, about 12,000 Sets a second of 80 bytes, in bytes per
	// second.
	busRate = 1 << 20
	// newTreeRate is how fast a rotation is assumed to rewrite a tree
	// before one has been timed, in bytes per second (measured: 1M
	// entries, 52 MB, in about 0.5 s written whole).
	newTreeRate = 100 << 20
	// burstWindow: a rotation that starts this soon after the last swap
	// is part of a burst.
	burstWindow = time.Second
)

// journalPlan is what the store knows for sizing its next journal.
// Guarded by Store.mu.
type journalPlan struct {
	written int           // bytes appended while the last rotation ran
	took    time.Duration // how long the last rotation took, snapshot to swap
	waited  bool          // a writer found no room since the last journal was planned
	// threshold is the fill, in bytes of entries, at which the current
	// journal's rotation starts; 0 for a journal this store did not plan
	// (the steady threshold then applies).
	threshold int
	// laidOut is the size of the tree file when it was last written
	// whole (or opened): patches may grow it to twice that.
	laidOut int
}

// payload is the room for entries in a journal of size bytes.
func payload(size int) int { return size - format.JournalHeaderSize }

// steadyThreshold is the fill at which the rotation of a journal starts
// when writes are few.
func (s *Store) steadyThreshold() int { return payload(s.journalSize()) * 3 / 4 }

// roomLocked is the space a journal keeps free past its threshold for the
// writes that come while a tree of treeBytes is rewritten: twice what the
// last rotation saw written, or what a client at bus speed would write in
// the time the last one took, whichever is more (measured at 1M entries:
// sized from what was written alone, a burst that sped up found the room
// too small and waited up to 287 ms).
func (s *Store) roomLocked(treeBytes int) int {
	took := s.rot.plan.took
	if took == 0 {
		took = time.Duration(float64(treeBytes) / newTreeRate * float64(time.Second))
	}
	room := max(payload(s.journalSize())-s.steadyThreshold(), 2*s.rot.plan.written, int(took.Seconds()*busRate))
	return min(room, payload(s.maxJournal())-s.steadyThreshold())
}

// treeBytesLocked is the size of the current tree file (0 when there is none).
func (s *Store) treeBytesLocked() int {
	if s.tree == nil {
		return 0
	}
	return len(s.tree.t.Bytes())
}

// maxJournal is the cap on a journal's size.
func (s *Store) maxJournal() int { return max(MaxJournalSize, s.journalSize()) }

// newJournalSizeLocked returns the size of the journal a rotation creates, given
// carried, the bytes of entries it will start with, the size of the tree
// it names and whether it is part of a burst.
func (s *Store) newJournalSizeLocked(carried, treeBytes int, burst bool) int {
	if burst || s.rot.plan.waited {
		s.rot.plan.waited = false
		return s.maxJournal()
	}
	want := format.JournalHeaderSize + max(s.steadyThreshold(), carried) + s.roomLocked(treeBytes)
	return min(max(roundUp(want, 4096), s.journalSize()), s.maxJournal())
}

// thresholdForLocked is where the rotation of a new journal of size bytes
// starts: in a burst, when only the room is left.
func (s *Store) thresholdForLocked(size, treeBytes int, burst bool) int {
	if !burst {
		return s.steadyThreshold()
	}
	return max(s.steadyThreshold(), payload(size)-s.roomLocked(treeBytes))
}

// needsRotationLocked reports whether the journal has reached the fill at
// which its rotation starts. A journal this store did not plan (one it
// opened) also rotates when it has less room left than a rotation needs.
func (s *Store) needsRotationLocked() bool {
	if s.journal == nil {
		return false
	}
	used := int(s.journal.j.End()) - format.JournalHeaderSize
	if s.rot.plan.threshold > 0 {
		return used >= s.rot.plan.threshold
	}
	return used >= s.steadyThreshold() || s.journal.j.Free() < s.roomLocked(s.treeBytesLocked())
}

func roundUp(n, to int) int { return (n + to - 1) / to * to }
