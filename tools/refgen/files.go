// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// Just enough of the on-disk format to name the journal, count its entries
// and find the last one. Deliberately independent of the format package:
// the reference data must not be shaped by the code it is meant to test.

var (
	treeMagic    = []byte{0xda, 0x1a, 'm', 'e', 't', 'a'}
	journalMagic = []byte{0xda, 0x1a, 'j', 'o', 'u', 'r'}
)

const journalHeaderSize = 20

// treeTag returns the random tag at bytes 12..16 of a tree header, which
// names its journal and changes on every rotation.
func treeTag(tree []byte) (uint32, error) {
	if len(tree) < 32 || !bytes.Equal(tree[:6], treeMagic) {
		return 0, fmt.Errorf("not a metadata tree (%d bytes)", len(tree))
	}
	return binary.BigEndian.Uint32(tree[12:16]), nil
}

func journalName(tree string, tag uint32) string { return fmt.Sprintf("%s-%08x.log", tree, tag) }

// journalEntry is the position of one entry: [Off, Off+Size).
type journalEntry struct{ Off, Size int }

// journalInfo is a journal header plus the entries it counts.
type journalInfo struct {
	Tag     uint32
	Count   int            // num_entries from the header
	Entries []journalEntry // the valid ones
}

// parseJournal checks the header and walks num_entries entries, checking
// each entry's size fields and CRC. An error here means the reference wrote
// something this program does not understand — stop rather than guess. On
// an entry error the entries before it are still returned (the corrupt-tail
// case checks that exactly its last entry fails).
func parseJournal(b []byte) (*journalInfo, error) {
	if len(b) < journalHeaderSize || !bytes.Equal(b[:6], journalMagic) {
		return nil, fmt.Errorf("not a metadata journal (%d bytes)", len(b))
	}
	if size := binary.BigEndian.Uint32(b[12:16]); int(size) != len(b) {
		return nil, fmt.Errorf("journal header says %d bytes, file has %d", size, len(b))
	}
	info := &journalInfo{Tag: binary.BigEndian.Uint32(b[8:12]), Count: int(binary.BigEndian.Uint32(b[16:20]))}
	off := journalHeaderSize
	for i := 0; i < info.Count; i++ {
		if off+8 > len(b) {
			return info, fmt.Errorf("journal entry %d at %d: past the end", i, off)
		}
		size := int(binary.BigEndian.Uint32(b[off:]))
		if size < 24 || size%4 != 0 || off+size > len(b) {
			return info, fmt.Errorf("journal entry %d at %d: bad size %d", i, off, size)
		}
		if end := int(binary.BigEndian.Uint32(b[off+size-4:])); end != size {
			return info, fmt.Errorf("journal entry %d at %d: trailing size %d != %d", i, off, end, size)
		}
		if crc := binary.BigEndian.Uint32(b[off+4:]); crc != crc32.ChecksumIEEE(b[off+8:off+size]) {
			return info, fmt.Errorf("journal entry %d at %d: CRC mismatch", i, off)
		}
		info.Entries = append(info.Entries, journalEntry{off, size})
		off += size
	}
	return info, nil
}

// setValueEnd returns the index of the last byte of the value of the "set"
// entry e (op 0: mtime, op, path\0, key\0, value\0), the byte the
// corrupt-tail case flips: changing it keeps every string well-formed, so
// only the CRC can tell.
func setValueEnd(b []byte, e journalEntry) (int, error) {
	body := b[e.Off : e.Off+e.Size]
	const opOff = 16 // size, crc, 8-byte mtime
	if body[opOff] != 0 {
		return 0, fmt.Errorf("entry at %d is op %d, not a set", e.Off, body[opOff])
	}
	pos := opOff + 1
	for field := 0; field < 3; field++ { // path, key, value
		n := bytes.IndexByte(body[pos:], 0)
		if n < 0 {
			return 0, fmt.Errorf("entry at %d: unterminated string", e.Off)
		}
		if field == 2 {
			if n == 0 {
				return 0, fmt.Errorf("entry at %d: empty value", e.Off)
			}
			return e.Off + pos + n - 1, nil
		}
		pos += n + 1
	}
	panic("unreachable")
}
