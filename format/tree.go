// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"bytes"
	"fmt"
	"sort"
)

// Tree is a parsed view of a tree file's bytes. It never copies them: data
// is usually a read-only shared mapping of the file, so the header fields
// that change at run time (Rotated) are read live on every call.
type Tree struct {
	data []byte
	tag  uint32
	base int64
	root uint32
	keys [][]byte // key names by id; slices of data
	// keyTable is the offset of the key table.
	keyTable uint32
}

// ParseTree checks the header, the root entry and the key table of a tree
// file, the same checks the C reader makes before it trusts a tree.
func ParseTree(data []byte) (*Tree, error) {
	if len(data) < TreeHeaderSize {
		return nil, formatErr(0, "tree file too short for a header (%d bytes)", len(data))
	}
	if !bytes.Equal(data[:6], treeMagic[:]) {
		return nil, formatErr(0, "not a metadata tree (wrong magic)")
	}
	if data[6] != majorVersion {
		return nil, formatErr(6, "unsupported tree major version %d", data[6])
	}
	if uint64(len(data)) > 1<<32 {
		return nil, formatErr(0, "tree file larger than 4 GiB")
	}
	t := &Tree{
		data: data,
		tag:  be.Uint32(data[treeTagOffset:]),
		base: int64(be.Uint64(data[treeTimeBaseOffset:])),
		root: be.Uint32(data[treeRootOffset:]),
	}
	if err := t.checkBlock(t.root, DirentSize); err != nil {
		return nil, formatErr(treeRootOffset, "root entry: %v", err)
	}
	keyTable := be.Uint32(data[treeKeysOffset:])
	n, err := t.arrayLen(keyTable, 4)
	if err != nil {
		return nil, formatErr(treeKeysOffset, "key table: %v", err)
	}
	t.keyTable = keyTable
	t.keys = make([][]byte, n)
	for i := range t.keys {
		slot := uint64(keyTable) + 4 + 4*uint64(i)
		name, ok := cString(data, uint64(be.Uint32(data[slot:])))
		if !ok {
			return nil, formatErr(int64(slot), "key %d: string offset outside the file or unterminated", i)
		}
		t.keys[i] = name
	}
	return t, nil
}

// checkBlock applies the C reader's rule for a block pointer: 4-byte
// aligned, and the whole block inside the file.
func (t *Tree) checkBlock(off uint32, size uint64) error {
	if off%4 != 0 {
		return errMisaligned(off)
	}
	if uint64(off)+size > uint64(len(t.data)) {
		return errOutside(off, size)
	}
	return nil
}

// arrayLen validates an array block (uint32 count, then count elements of
// elemSize bytes) and returns its count.
func (t *Tree) arrayLen(off uint32, elemSize uint64) (uint32, error) {
	if err := t.checkBlock(off, 4); err != nil {
		return 0, err
	}
	n := be.Uint32(t.data[off:])
	if err := t.checkBlock(off, 4+uint64(n)*elemSize); err != nil {
		return 0, err
	}
	return n, nil
}

func errMisaligned(off uint32) error {
	return fmt.Errorf("block offset %d is not 4-byte aligned", off)
}

func errOutside(off uint32, size uint64) error {
	return fmt.Errorf("block of %d bytes at offset %d runs past the end of the file", size, off)
}

// Bytes returns the file bytes the tree was parsed from.
func (t *Tree) Bytes() []byte { return t.data }

// Tag is the random tag that names this tree's journal.
func (t *Tree) Tag() uint32 { return t.tag }

// Rotated reports whether a newer tree has replaced this one. It reads the
// header every time because the writer flips it in place.
func (t *Tree) Rotated() bool {
	return be.Uint32(t.data[RotatedOffset:]) != 0
}

// TimeBase is the time_t every stored last_changed is relative to.
func (t *Tree) TimeBase() int64 { return t.base }

// NumKeys is the number of distinct key names in the key table.
func (t *Tree) NumKeys() int { return len(t.keys) }

// KeyName returns the name of key id, or false for an id outside the table.
func (t *Tree) KeyName(id uint32) ([]byte, bool) {
	if uint64(id) >= uint64(len(t.keys)) {
		return nil, false
	}
	return t.keys[id], true
}

// KeyID finds a key name in the sorted key table.
func (t *Tree) KeyID(name []byte) (uint32, bool) {
	i := sort.Search(len(t.keys), func(i int) bool { return bytes.Compare(t.keys[i], name) >= 0 })
	if i < len(t.keys) && bytes.Equal(t.keys[i], name) {
		return uint32(i), true
	}
	return 0, false
}

// Root is the entry of the path "/".
func (t *Tree) Root() Dirent { return Dirent{t: t, off: t.root} }

// Lookup finds the entry of an absolute path. Empty components (repeated
// or trailing slashes) are skipped, as the C reader does. found is false
// when some component is absent; err is set when a block on the way is
// corrupt.
func (t *Tree) Lookup(path []byte) (d Dirent, found bool, err error) {
	d = t.Root()
	for len(path) > 0 {
		for len(path) > 0 && path[0] == '/' {
			path = path[1:]
		}
		if len(path) == 0 {
			break
		}
		end := bytes.IndexByte(path, '/')
		if end < 0 {
			end = len(path)
		}
		dir, err := d.Children()
		if err != nil {
			return Dirent{}, false, err
		}
		child, ok, err := dir.Lookup(path[:end])
		if err != nil || !ok {
			return Dirent{}, false, err
		}
		d = child
		path = path[end:]
	}
	return d, true, nil
}

func (t *Tree) timeAt(raw uint32) int64 {
	if raw == 0 {
		return 0
	}
	return int64(raw) + t.base
}

// keySpans calls fn with the byte range [start, end) of the key table and
// of each key name, its NUL included: what ParseTree reads besides the
// header and the root entry.
func (t *Tree) keySpans(fn func(start, end uint64)) {
	fn(uint64(t.keyTable), uint64(t.keyTable)+4+4*uint64(len(t.keys)))
	for i, name := range t.keys {
		off := uint64(be.Uint32(t.data[uint64(t.keyTable)+4+4*uint64(i):]))
		fn(off, off+uint64(len(name))+1)
	}
}
