// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"bytes"
	"sort"
)

// Dirent is one entry of the tree: a path component with optional children
// and metadata. The zero Dirent is not valid.
type Dirent struct {
	t   *Tree
	off uint32
}

// Offset is the file offset of the entry.
func (d Dirent) Offset() uint32 { return d.off }

func (d Dirent) field(i uint32) uint32 { return be.Uint32(d.t.data[d.off+4*i:]) }

// Name is the entry's file name (for the root, "/").
func (d Dirent) Name() ([]byte, error) {
	name, ok := cString(d.t.data, uint64(d.field(0)))
	if !ok {
		return nil, formatErr(int64(d.off), "entry name offset %d outside the file or unterminated", d.field(0))
	}
	return name, nil
}

// LastChanged is the entry's last change time in seconds since the epoch,
// 0 when unknown. Like the C reader, the time base is added for every
// entry, the root included.
func (d Dirent) LastChanged() int64 { return d.t.timeAt(d.field(3)) }

// RawLastChanged is the stored 32-bit value, before the time base is added.
func (d Dirent) RawLastChanged() uint32 { return d.field(3) }

// HasChildrenBlock reports whether the entry points at a children block
// (possibly an empty one).
func (d Dirent) HasChildrenBlock() bool { return d.field(1) != 0 }

// HasDataBlock reports whether the entry points at a metadata block
// (possibly an empty one).
func (d Dirent) HasDataBlock() bool { return d.field(2) != 0 }

// ChildrenOffset and DataOffset are the raw block pointers (0 = none).
func (d Dirent) ChildrenOffset() uint32 { return d.field(1) }

// DataOffset is the raw metadata block pointer (0 = none).
func (d Dirent) DataOffset() uint32 { return d.field(2) }

// Children returns the entry's children block; an entry without one has
// an empty Dir.
func (d Dirent) Children() (Dir, error) {
	off := d.field(1)
	if off == 0 {
		return Dir{t: d.t}, nil
	}
	n, err := d.t.arrayLen(off, DirentSize)
	if err != nil {
		return Dir{}, formatErr(int64(d.off)+4, "children block: %v", err)
	}
	return Dir{t: d.t, off: off, n: n}, nil
}

// Data returns the entry's metadata block; an entry without one has an
// empty Data.
func (d Dirent) Data() (Data, error) {
	off := d.field(2)
	if off == 0 {
		return Data{t: d.t}, nil
	}
	n, err := d.t.arrayLen(off, DataEntrySize)
	if err != nil {
		return Data{}, formatErr(int64(d.off)+8, "metadata block: %v", err)
	}
	return Data{t: d.t, off: off, n: n}, nil
}

// Dir is a children block: entries sorted by the bytes of their names.
type Dir struct {
	t   *Tree
	off uint32
	n   uint32
}

// Len is the number of children.
func (d Dir) Len() int { return int(d.n) }

// Offset is the file offset of the block (0 for an entry without one).
func (d Dir) Offset() uint32 { return d.off }

// Child returns child i, 0 <= i < Len().
func (d Dir) Child(i int) Dirent {
	return Dirent{t: d.t, off: d.off + 4 + uint32(i)*DirentSize}
}

// Lookup binary-searches the children for name, as the C reader does.
func (d Dir) Lookup(name []byte) (Dirent, bool, error) {
	var firstErr error
	i := sort.Search(int(d.n), func(i int) bool {
		n, err := d.Child(i).Name()
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return true
		}
		return bytes.Compare(n, name) >= 0
	})
	if firstErr != nil {
		return Dirent{}, false, firstErr
	}
	if i < int(d.n) {
		c := d.Child(i)
		if n, _ := c.Name(); bytes.Equal(n, name) {
			return c, true, nil
		}
	}
	return Dirent{}, false, nil
}

// Data is a metadata block: (key id, value) pairs sorted by key id.
type Data struct {
	t   *Tree
	off uint32
	n   uint32
}

// Len is the number of keys.
func (d Data) Len() int { return int(d.n) }

// Offset is the file offset of the block (0 for an entry without one).
func (d Data) Offset() uint32 { return d.off }

// Item is one key of a metadata block.
type Item struct {
	t       *Tree
	Offset  uint32 // file offset of the (key, value) pair
	KeyID   uint32
	IsList  bool
	valueAt uint32
}

// Item returns pair i, 0 <= i < Len().
func (d Data) Item(i int) Item {
	off := d.off + 4 + uint32(i)*DataEntrySize
	k := be.Uint32(d.t.data[off:])
	return Item{t: d.t, Offset: off, KeyID: k &^ listKeyFlag, IsList: k&listKeyFlag != 0, valueAt: be.Uint32(d.t.data[off+4:])}
}

// Find binary-searches the block for a key id.
func (d Data) Find(id uint32) (Item, bool) {
	i := sort.Search(int(d.n), func(i int) bool { return d.Item(i).KeyID >= id })
	if i < int(d.n) {
		if it := d.Item(i); it.KeyID == id {
			return it, true
		}
	}
	return Item{}, false
}

// Key returns the item's key name.
func (it Item) Key() ([]byte, error) {
	name, ok := it.t.KeyName(it.KeyID)
	if !ok {
		return nil, formatErr(int64(it.Offset), "key id %d outside the key table (%d keys)", it.KeyID, it.t.NumKeys())
	}
	return name, nil
}

// Value returns the value of a string item.
func (it Item) Value() ([]byte, error) {
	s, ok := cString(it.t.data, uint64(it.valueAt))
	if !ok {
		return nil, formatErr(int64(it.Offset)+4, "value offset %d outside the file or unterminated", it.valueAt)
	}
	return s, nil
}

// Values returns the values of a string-list item.
func (it Item) Values() ([][]byte, error) {
	n, err := it.t.arrayLen(it.valueAt, 4)
	if err != nil {
		return nil, formatErr(int64(it.Offset)+4, "string list: %v", err)
	}
	out := make([][]byte, n)
	for i := range out {
		slot := uint64(it.valueAt) + 4 + 4*uint64(i)
		s, ok := cString(it.t.data, uint64(be.Uint32(it.t.data[slot:])))
		if !ok {
			return nil, formatErr(int64(slot), "list item %d offset outside the file or unterminated", i)
		}
		out[i] = s
	}
	return out, nil
}

// ValueOffset is the stored value pointer: the string's offset, or the
// string list table's.
func (it Item) ValueOffset() uint32 { return it.valueAt }

// DirentAt returns the entry at off, which must be the Offset of an entry
// of t obtained earlier (callers keep offsets instead of Dirents to save
// memory on large trees).
func (t *Tree) DirentAt(off uint32) Dirent { return Dirent{t: t, off: off} }
