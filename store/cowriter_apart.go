// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"bytes"
	"errors"

	"gvfs-metadata/format"
)

// A writer that takes no lock and appends at its own cursor (the C
// daemon, see cowriter_remember.go) and this store cannot both append to one
// journal without cutting through each other's entries: each writes
// where it believes the last entry ends, and the other's entries there
// are gone, or torn so that readers stop at them. So once a store has
// seen such a writer, it appends only to journals of its own: it rotates
// away from the journal it shares with that writer, who goes on with the
// journal of the tree it opened and never opens this store's, and reads
// that writer's later entries from the journal it left (see cowriter_adopt.go).
// After that writer's rotation the journal in place is the writer's, and
// the store's next write rotates again before appending.
//
// The signs of such a writer in the current journal, looked for under
// the lock before each append:
//   - an entry count lower than the entries this store validated (it
//     publishes its own count);
//   - bytes where this store appends next that were not there when the
//     journal was opened (it appended past this store's last entry,
//     under a count that does not validate it; what was there already is
//     what a writer killed before publishing its entry left);
//   - the entries of this store's last append no longer there (it wrote
//     over them, publishing the count this store had). Acknowledged
//     before any sign of that writer, they are not among the changes the
//     store remembers: they are written again, and remembered from then.

// lastAppend is where this store's last append went, and its bytes.
type lastAppend struct {
	jf  *journalFile
	off uint32
	b   []byte
}

// lostSinceAppend returns the entries of the last append to jf that are no
// longer where they were written; once it has returned them, that append
// is forgotten.
func (w *coWriters) lostSinceAppend(jf *journalFile) []byte {
	last := w.last
	if last.jf != jf || jf == nil {
		return nil
	}
	data := jf.m.Bytes()
	end := int(last.off) + len(last.b)
	if end <= len(data) && bytes.Equal(data[last.off:end], last.b) {
		return nil
	}
	w.last = lastAppend{}
	var lost []byte
	var changes []format.Change
	entryRuns{last.b}.each(func(e *format.Entry) error {
		at := int(last.off) + int(e.Offset)
		mine := last.b[e.Offset : e.Offset+e.Size]
		if at+len(mine) > len(data) || !bytes.Equal(data[at:at+len(mine)], mine) {
			lost = append(lost, mine...)
			changes = append(changes, e.Change())
		}
		return nil
	})
	// Remembered from now on, like every change acknowledged from here.
	w.sawLocklessWriter()
	w.acknowledged(changes, 0)
	return lost
}

// noteTail records what lies past the last valid entry now, which no
// writer alive need have written.
func (jf *journalFile) noteTail() {
	data := jf.m.Bytes()
	end := int(jf.j.End())
	last := len(data) - 1
	for last >= end && data[last] == 0 {
		last--
	}
	jf.tail, jf.tailAt = nil, uint32(end)
	if last >= end {
		jf.tail = bytes.Clone(data[end : last+1])
	}
}

// writtenPast reports whether anything new lies in the n bytes after the
// journal's last valid entry, where this store appends next: a journal
// is zeros past what was written, but for the tail it had when opened.
func (jf *journalFile) writtenPast(n int) bool {
	data := jf.m.Bytes()
	end := int(jf.j.End())
	for i, b := range data[end:min(end+n, len(data))] {
		want := byte(0)
		if at := end + i - int(jf.tailAt); at >= 0 && at < len(jf.tail) {
			want = jf.tail[at]
		}
		if b != want {
			return true
		}
	}
	return false
}

// leaving reports whether jf, the current journal, shows signs of a
// writer without the lock, before n bytes are appended to it; entries of
// the last append it wrote over are carried. Called with the tree's lock
// held, the journal refreshed.
func (w *coWriters) leaving(jf *journalFile, n int) bool {
	sign := jf.j.Published() < uint32(jf.j.Len()) || jf.writtenPast(n)
	if lost := w.lostSinceAppend(jf); lost != nil {
		w.carried = append(w.carried, lost...)
		sign = true
	}
	if sign {
		w.sawLocklessWriter()
	}
	return sign || (w.lockless && !w.own)
}

// leaveJournalLocked rotates away from a journal a writer without the lock
// writes to: the rotation merges every entry there that still decodes,
// and what that writer appends later is read from the journal left (see
// cowriter_adopt.go). The write then starts again, in a journal of this store's.
func (s *Store) leaveJournalLocked() error {
	if s.rot.current != nil {
		s.waitRotationLocked()
		return errWaited
	}
	if err := s.rotateLocked(false); err != nil && !errors.Is(err, errAnotherWriter) {
		return err
	}
	return errAnotherWriter
}
