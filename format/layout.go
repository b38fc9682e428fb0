// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"bytes"
	"encoding/binary"
)

// Sizes and magic numbers of the two file kinds. They are fixed by the C
// implementation that every GIO application links; changing any of them
// makes the files unreadable to those applications.
const (
	TreeHeaderSize    = 32
	DirentSize        = 16
	DataEntrySize     = 8
	JournalHeaderSize = 20

	// NewJournalSize is the size of a journal created for a fresh tree.
	NewJournalSize = 32 * 1024

	// listKeyFlag marks a metadata entry whose value is a string list.
	listKeyFlag = 1 << 31

	// RotatedOffset is where the rotated marker lives in a tree header.
	RotatedOffset = 8
	// RotatedMark is the value of the rotated field once a newer tree
	// has replaced this one.
	RotatedMark = 0xFFFFFFFF

	// JournalNumEntriesOffset is where a journal header counts its entries;
	// the writer updates it after the entry bytes are in place.
	JournalNumEntriesOffset = 16

	treeTagOffset      = 12
	treeRootOffset     = 16
	treeKeysOffset     = 20
	treeTimeBaseOffset = 24
	journalTagOffset   = 8
	journalSizeOffset  = 12
)

var (
	treeMagic    = [6]byte{0xda, 0x1a, 'm', 'e', 't', 'a'}
	journalMagic = [6]byte{0xda, 0x1a, 'j', 'o', 'u', 'r'}
)

const (
	majorVersion = 1
	minorVersion = 0
)

var be = binary.BigEndian

// u32 reads a big-endian uint32 at off; ok is false when it does not fit.
func u32(b []byte, off uint64) (uint32, bool) {
	if off > uint64(len(b)) || uint64(len(b))-off < 4 {
		return 0, false
	}
	return be.Uint32(b[off:]), true
}

// cString returns the NUL-terminated string starting at off, without the
// NUL. ok is false when off is outside b or no NUL follows inside b.
func cString(b []byte, off uint64) ([]byte, bool) {
	if off >= uint64(len(b)) {
		return nil, false
	}
	rest := b[off:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		return nil, false
	}
	return rest[:i:i], true
}
