package store

import (
	"time"

	"gvfs-metadata/format"
)

// How big a new journal is, and when the rotation that empties it starts.
//
// Every GIO application walks the whole journal on each metadata lookup
// (with the C client, a 1,000-file listing costs about 7 µs more per
// journal entry), so what readers pay for is the number of entries in it,
// never its capacity. The rotation therefore starts at the same fill in
// every journal, three quarters of the steady 32 KiB one (the reference's
// size, reached at about 300 entries). A journal's capacity is that much
// plus room for the writes that arrive while the tree is rebuilt, because
// a write is answered only once it is in a journal readers walk: one that
// finds no room waits for the rotation to end.
//
// The room is sized from this tree's own rotations: what was written
// while the last one ran (twice that, since a burst that outruns one
// rotation carries that much into the next journal, which rotates at once
// and takes as much again), or what a client writing at bus speed would
// write in the time the last rotation took, whichever is more. A writer
// that had to wait sizes the next journal at the cap. The cap bounds what
// a reader may ever have to walk: MaxJournalSize holds about 3,200
// entries of a typical Set, about 24 ms more for that 1,000-file listing.

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
	// entries, 60 MB, in about 0.3 s under a write burst).
	newTreeRate = 200 << 20
)

// journalPlan is what the store knows for sizing its next journal.
// Guarded by Store.mu.
type journalPlan struct {
	written int           // bytes appended while the last rotation ran
	took    time.Duration // how long the last rotation took, snapshot to swap
	waited  bool          // a writer found no room since the last journal was planned
}

// payload is the room for entries in a journal of size bytes.
func payload(size int) int { return size - format.JournalHeaderSize }

// threshold is the fill, in bytes of entries, at which a rotation starts.
func (s *Store) threshold() int { return payload(s.journalSize()) * 3 / 4 }

// room is the space a journal keeps free past the threshold for the
// writes that come while the tree is rewritten. Called with s.mu held.
func (s *Store) room() int {
	steady := payload(s.journalSize()) - s.threshold()
	took := s.rot.plan.took
	if took == 0 && s.tree != nil {
		took = time.Duration(float64(len(s.tree.t.Bytes())) / newTreeRate * float64(time.Second))
	}
	atBusRate := int(took.Seconds() * busRate)
	return min(max(steady, 2*s.rot.plan.written, atBusRate), payload(s.maxJournal())-s.threshold())
}

// maxJournal is the cap on a journal's size.
func (s *Store) maxJournal() int { return max(MaxJournalSize, s.journalSize()) }

// plannedJournalSize is the size of the journal a rotation creates, given
// carried, the bytes of entries it will start with. Called with s.mu held.
func (s *Store) plannedJournalSize(carried int) int {
	if s.rot.plan.waited {
		s.rot.plan.waited = false
		return s.maxJournal()
	}
	want := format.JournalHeaderSize + max(s.threshold(), carried) + s.room()
	return min(max(roundUp(want, 4096), s.journalSize()), s.maxJournal())
}

// needsRotationLocked reports whether the journal has reached the fill at
// which a rotation starts.
func (s *Store) needsRotationLocked() bool {
	if s.journal == nil {
		return false
	}
	used := int(s.journal.j.End()) - format.JournalHeaderSize
	return used >= s.threshold() || s.journal.j.Free() < s.room()
}

func roundUp(n, to int) int { return (n + to - 1) / to * to }
