// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import "bytes"

// Journal is a parsed view of a journal file's bytes, usually a shared
// mapping that the writer keeps appending to. It remembers how far it has
// validated; Refresh picks up entries published since.
type Journal struct {
	data    []byte
	tag     uint32
	offsets []uint32 // start of every validated entry, oldest first
	end     uint32   // offset just past the last validated entry
	broken  error    // first bad entry seen; nothing after it is trusted
}

// ParseJournal checks a journal header against the tag of its tree and the
// real file size, then validates the published entries.
func ParseJournal(data []byte, tag uint32) (*Journal, error) {
	if len(data) < JournalHeaderSize {
		return nil, formatErr(0, "journal too short for a header (%d bytes)", len(data))
	}
	if !bytes.Equal(data[:6], journalMagic[:]) {
		return nil, formatErr(0, "not a metadata journal (wrong magic)")
	}
	if data[6] != majorVersion {
		return nil, formatErr(6, "unsupported journal major version %d", data[6])
	}
	if got := be.Uint32(data[journalTagOffset:]); got != tag {
		return nil, formatErr(journalTagOffset, "journal tag %08x does not match the tree's %08x", got, tag)
	}
	if size := be.Uint32(data[journalSizeOffset:]); uint64(size) != uint64(len(data)) {
		return nil, formatErr(journalSizeOffset, "journal header says %d bytes, file has %d", size, len(data))
	}
	j := &Journal{data: data, tag: tag, end: JournalHeaderSize}
	j.Refresh()
	return j, nil
}

// Tag is the tag of the tree this journal belongs to.
func (j *Journal) Tag() uint32 { return j.tag }

// Size is the journal's file size.
func (j *Journal) Size() int { return len(j.data) }

// Published is the entry count in the header, which may exceed the entries
// that validate.
func (j *Journal) Published() uint32 { return be.Uint32(j.data[JournalNumEntriesOffset:]) }

// Refresh validates entries published since the last call. Like the C
// reader, once an entry fails it stops for good: a torn or corrupt entry
// hides itself and everything after it.
func (j *Journal) Refresh() {
	if j.broken != nil {
		return
	}
	n := j.Published()
	for uint32(len(j.offsets)) < n {
		e, err := DecodeEntry(j.data, j.end)
		if err != nil {
			j.broken = err
			return
		}
		j.offsets = append(j.offsets, j.end)
		j.end += e.Size
	}
}

// Broken returns the error of the first entry that failed validation, or
// nil while every published entry is valid.
func (j *Journal) Broken() error { return j.broken }

// Len is the number of valid entries.
func (j *Journal) Len() int { return len(j.offsets) }

// End is the offset just past the last valid entry: where the next one goes.
func (j *Journal) End() uint32 { return j.end }

// Free is the number of bytes left after the last valid entry.
func (j *Journal) Free() int { return len(j.data) - int(j.end) }

// Entry decodes valid entry i, 0 oldest. It decodes again rather than
// trusting the earlier validation because the bytes live in a shared
// mapping: a misbehaving second writer could have changed them since.
func (j *Journal) Entry(i int) (Entry, error) {
	return DecodeEntry(j.data, j.offsets[i])
}

// EntryBytes returns the raw bytes of entries [from, to).
func (j *Journal) EntryBytes(from, to int) []byte {
	if from >= to {
		return nil
	}
	end := j.end
	if to < len(j.offsets) {
		end = j.offsets[to]
	}
	return j.data[j.offsets[from]:end]
}

// NewJournalHeader returns the 20-byte header of an empty journal of size
// bytes for the tree tagged tag. The rest of a new journal is zeros.
func NewJournalHeader(tag uint32, size uint32) []byte {
	h := make([]byte, 0, JournalHeaderSize)
	h = append(h, journalMagic[:]...)
	h = append(h, majorVersion, minorVersion)
	h = be.AppendUint32(h, tag)
	h = be.AppendUint32(h, size)
	h = be.AppendUint32(h, 0)
	return h
}

// JournalFilename is the journal's file name for a tree file name and tag:
// "<tree>-<tag as 8 lowercase hex digits>.log".
func JournalFilename(tree string, tag uint32) string {
	const hex = "0123456789abcdef"
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = hex[tag&0xf]
		tag >>= 4
	}
	return tree + "-" + string(b[:]) + ".log"
}
