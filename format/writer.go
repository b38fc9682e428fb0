// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"errors"
	"math"
	"sort"
)

// Writer lays out a tree file block by block, in the order the C builder
// writes them: header and key table, the root entry, every children block
// breadth-first, then the metadata blocks (the root's, then one run per
// directory with the metadata of its children sharing one string block).
// Build drives it from in-memory nodes; a rotation can also copy blocks
// of an untouched directory straight from the old tree (CopyChildren,
// CopyMetadataRun), relocating their offsets, which is what keeps
// rewriting a large tree cheap.
type Writer struct {
	out    []byte
	base   int64
	keyIDs map[string]uint32
	strs   stringBlock
	lists  listBlock
	// open children block, between BeginChildren and EndChildren
	childCount uint32
	// remap maps key ids of the tree blocks are copied from to ids of
	// this one (noKey: not in this tree).
	remapFor *Tree
	remap    []uint32
}

const noKey = ^uint32(0)

// NewWriter starts a tree with the given tag, time base (see TimeBase)
// and keys (every key any node uses, in any order), and writes the root
// entry. It returns the writer and the root entry's offset.
func NewWriter(tag uint32, base int64, keys []string, rootLastChanged int64, sizeHint int) (*Writer, uint32) {
	names := append([]string(nil), keys...)
	sort.Strings(names)
	w := &Writer{base: base, keyIDs: make(map[string]uint32, len(names)), out: make([]byte, 0, max(sizeHint, 4096))}
	w.out = append(w.out, treeMagic[:]...)
	w.out = append(w.out, majorVersion, minorVersion)
	w.out = be.AppendUint32(w.out, 0) // rotated
	w.out = be.AppendUint32(w.out, tag)
	w.out = be.AppendUint32(w.out, 0) // root offset, patched below
	w.out = be.AppendUint32(w.out, 0) // key table offset, patched below
	w.out = be.AppendUint64(w.out, uint64(base))
	be.PutUint32(w.out[treeKeysOffset:], uint32(len(w.out)))
	w.out = be.AppendUint32(w.out, uint32(len(names)))
	for i, k := range names {
		w.keyIDs[k] = uint32(i)
		w.out = w.strs.ref(w.out, k)
	}
	w.out = w.strs.flush(w.out)
	root := uint32(len(w.out))
	be.PutUint32(w.out[treeRootOffset:], root)
	w.out = be.AppendUint32(w.out, root+16) // the name follows the entry
	w.out = be.AppendUint32(w.out, 0)
	w.out = be.AppendUint32(w.out, 0)
	w.out = be.AppendUint32(w.out, w.time(rootLastChanged))
	w.out = append(w.out, '/', 0)
	w.out = padTo4(w.out)
	return w, root
}

// TimeBase picks the base the C builder picks for a set of times: one
// below the smallest non-zero time, raised when needed so that the
// largest still fits in 32 bits. lo is the smallest non-zero time (0 if
// none), hi the largest.
func TimeBase(lo, hi int64) int64 {
	if lo != 0 {
		lo--
	}
	if hi-lo > math.MaxUint32 {
		lo = hi - math.MaxUint32
	}
	return lo
}

// time converts an absolute time to the stored offset from the base.
func (w *Writer) time(t int64) uint32 {
	switch {
	case t == 0:
		return 0
	case t <= w.base:
		return 1
	}
	return uint32(t - w.base)
}

// Bytes returns the file written so far.
func (w *Writer) Bytes() []byte { return w.out }

// BeginChildren starts the children block of the entry at parent.
func (w *Writer) BeginChildren(parent uint32) {
	be.PutUint32(w.out[parent+4:], uint32(len(w.out)))
	w.childCount = 0
	w.out = be.AppendUint32(w.out, 0) // count, patched by EndChildren
}

// Child adds an entry to the open children block and returns its offset.
// Children must come in bytewise order of name.
func (w *Writer) Child(name string, lastChanged int64) uint32 {
	off := uint32(len(w.out))
	w.out = w.strs.ref(w.out, name)
	w.endChild(lastChanged)
	return off
}

// ChildFrom adds an entry named as an old tree's entry is, without
// converting its name.
func (w *Writer) ChildFrom(old Dirent, lastChanged int64) (uint32, error) {
	name, err := old.Name()
	if err != nil {
		return 0, err
	}
	off := uint32(len(w.out))
	w.out = w.strs.refBytes(w.out, name)
	w.endChild(lastChanged)
	return off, nil
}

// endChild writes the rest of an entry whose name slot was just written:
// its children and metadata pointers (patched later) and its time.
func (w *Writer) endChild(lastChanged int64) {
	w.out = be.AppendUint32(w.out, 0)
	w.out = be.AppendUint32(w.out, 0)
	w.out = be.AppendUint32(w.out, w.time(lastChanged))
	w.childCount++
}

// EndChildren closes the children block with its string block.
func (w *Writer) EndChildren() {
	start := uint32(len(w.out)) - 16*w.childCount - 4
	be.PutUint32(w.out[start:], w.childCount)
	w.out = w.strs.flush(w.out)
}

// Metadata writes the metadata block of the entry at dirent. Keys must be
// sorted by key and every key must have been given to NewWriter.
func (w *Writer) Metadata(dirent uint32, keys []KeyValue) {
	be.PutUint32(w.out[dirent+8:], uint32(len(w.out)))
	w.out = be.AppendUint32(w.out, uint32(len(keys)))
	for _, kv := range keys {
		id := w.keyIDs[kv.Key]
		if kv.IsList {
			w.out = be.AppendUint32(w.out, id|listKeyFlag)
			w.lists.pending = append(w.lists.pending, pendingList{slot: uint32(len(w.out)), items: kv.List})
			w.out = be.AppendUint32(w.out, 0)
		} else {
			w.out = be.AppendUint32(w.out, id)
			w.out = w.strs.ref(w.out, kv.Value)
		}
	}
}

// MetadataFrom writes the metadata block of the entry at dirent with the
// keys and values of an old tree's metadata block, read in place. The old
// block is checked first, so nothing is written when it is damaged.
func (w *Writer) MetadataFrom(dirent uint32, old *Tree, data Data) error {
	remap := w.remapTo(old)
	for i := range data.Len() {
		it := data.Item(i)
		if uint64(it.KeyID) >= uint64(len(remap)) || remap[it.KeyID] == noKey {
			return ErrNotCopyable
		}
		if i > 0 && data.Item(i-1).KeyID >= it.KeyID {
			return ErrNotCopyable
		}
		if it.IsList {
			if _, err := it.Values(); err != nil {
				return err
			}
		} else if _, err := it.Value(); err != nil {
			return err
		}
	}
	be.PutUint32(w.out[dirent+8:], uint32(len(w.out)))
	w.out = be.AppendUint32(w.out, uint32(data.Len()))
	for i := range data.Len() {
		it := data.Item(i)
		id := remap[it.KeyID]
		if it.IsList {
			w.out = be.AppendUint32(w.out, id|listKeyFlag)
			w.lists.pending = append(w.lists.pending, pendingList{slot: uint32(len(w.out)), old: old, oldTable: it.valueAt})
			w.out = be.AppendUint32(w.out, 0)
			continue
		}
		v, _ := it.Value()
		w.out = be.AppendUint32(w.out, id)
		w.out = w.strs.refBytes(w.out, v)
	}
	return nil
}

// EndMetadataRun closes a run of metadata blocks (the root's, or one
// directory's children's) with its string-list tables and string block.
func (w *Writer) EndMetadataRun() {
	w.out = w.lists.flush(w.out, &w.strs)
	w.out = w.strs.flush(w.out)
}

// ErrNotCopyable is returned when old blocks are not laid out the way the
// builders lay them out (tightly, in order, pointing only inside
// themselves), so that copying them could carry damage along. The caller
// then writes those entries from their decoded content instead.
var ErrNotCopyable = errors.New("old blocks are not laid out for copying")

// CopyChildren writes the children block of the entry at parent as a copy
// of an old tree's children block (same names, in the same order, with
// their times re-based), and returns the offsets of the new entries.
func (w *Writer) CopyChildren(parent uint32, old *Tree, dir Dir) ([]uint32, error) {
	n := uint64(dir.n)
	data := old.data
	namesStart := uint64(dir.off) + 4 + 16*n
	end := namesStart
	var prev []byte
	for i := range int(n) {
		c := dir.Child(i)
		p := uint64(c.field(0))
		name, ok := cString(data, p)
		if !ok || p < namesStart || len(name) == 0 || (i > 0 && string(prev) >= string(name)) {
			return nil, ErrNotCopyable
		}
		prev = name
		end = max(end, p+uint64(len(name))+1)
		if end-namesStart > uint64(len(data)) {
			return nil, ErrNotCopyable
		}
	}
	// The names must fill the string block exactly, as written by a
	// builder (names in one directory are distinct, so none is shared).
	sum := uint64(0)
	for i := range int(n) {
		name, _ := cString(data, uint64(dir.Child(i).field(0)))
		sum += uint64(len(name)) + 1
	}
	if sum != end-namesStart {
		return nil, ErrNotCopyable
	}
	be.PutUint32(w.out[parent+4:], uint32(len(w.out)))
	start := uint64(len(w.out))
	w.out = be.AppendUint32(w.out, uint32(n))
	delta := int64(start) + 4 + 16*int64(n) - int64(namesStart)
	offs := make([]uint32, n)
	for i := range int(n) {
		c := dir.Child(i)
		offs[i] = uint32(len(w.out))
		w.out = be.AppendUint32(w.out, uint32(int64(c.field(0))+delta))
		w.out = be.AppendUint32(w.out, 0)
		w.out = be.AppendUint32(w.out, 0)
		w.out = be.AppendUint32(w.out, w.time(c.LastChanged()))
	}
	w.out = append(w.out, data[namesStart:end]...)
	w.out = padTo4(w.out)
	return offs, nil
}

// remapTo returns the old-id to new-id table for copies from old.
func (w *Writer) remapTo(old *Tree) []uint32 {
	if w.remapFor == old {
		return w.remap
	}
	w.remapFor = old
	w.remap = make([]uint32, len(old.keys))
	for i, k := range old.keys {
		id, ok := w.keyIDs[string(k)]
		if !ok {
			id = noKey
		}
		w.remap[i] = id
	}
	return w.remap
}

// CopyMetadataRun writes the metadata run of a directory whose children
// are all unchanged as a copy of the old run: the old children's metadata
// blocks, string-list tables and shared string block, with key ids mapped
// to the new key table and offsets relocated. oldKids are the old entries,
// dirents the new entries' offsets, in the same order.
func (w *Writer) CopyMetadataRun(old *Tree, oldKids Dir, dirents []uint32) error {
	n := oldKids.Len()
	if n == 0 {
		return nil
	}
	if n != len(dirents) {
		return ErrNotCopyable
	}
	data := old.data
	// The blocks must follow each other.
	start := uint64(oldKids.Child(0).field(2))
	pos := start
	for i := range n {
		d := oldKids.Child(i).field(2)
		if d == 0 || uint64(d) != pos {
			return ErrNotCopyable
		}
		count, err := old.arrayLen(d, DataEntrySize)
		if err != nil {
			return ErrNotCopyable
		}
		pos += 4 + DataEntrySize*uint64(count)
	}
	blocksEnd := pos
	// Everything they point at must lie after them, inside the run.
	end := blocksEnd
	inside := func(p uint64) bool { return p >= blocksEnd }
	remap := w.remapTo(old)
	var tables map[uint32]bool
	for i := range n {
		md, _ := oldKids.Child(i).Data()
		for j := range md.Len() {
			it := md.Item(j)
			if uint64(it.KeyID) >= uint64(len(remap)) || remap[it.KeyID] == noKey {
				return ErrNotCopyable
			}
			if !it.IsList {
				s, ok := cString(data, uint64(it.valueAt))
				if !ok || !inside(uint64(it.valueAt)) {
					return ErrNotCopyable
				}
				end = max(end, uint64(it.valueAt)+uint64(len(s))+1)
				continue
			}
			count, err := old.arrayLen(it.valueAt, 4)
			if err != nil || !inside(uint64(it.valueAt)) || tables[it.valueAt] {
				return ErrNotCopyable
			}
			if tables == nil {
				tables = map[uint32]bool{}
			}
			tables[it.valueAt] = true
			end = max(end, uint64(it.valueAt)+4+4*uint64(count))
			for k := range uint64(count) {
				sp := uint64(be.Uint32(data[uint64(it.valueAt)+4+4*k:]))
				s, ok := cString(data, sp)
				if !ok || !inside(sp) {
					return ErrNotCopyable
				}
				end = max(end, sp+uint64(len(s))+1)
			}
		}
	}
	end = (end + 3) &^ 3
	if end > uint64(len(data)) {
		return ErrNotCopyable
	}
	// Nothing can fail from here on: the run is copied whole.
	newStart := uint64(len(w.out))
	delta := int64(newStart) - int64(start)
	w.out = append(w.out, data[start:end]...)
	region := w.out[newStart:]
	for i := range n {
		oldBlock := uint64(oldKids.Child(i).field(2))
		be.PutUint32(w.out[dirents[i]+8:], uint32(int64(oldBlock)+delta))
		md, _ := oldKids.Child(i).Data()
		for j := range md.Len() {
			it := md.Item(j)
			slot := uint64(it.Offset) - start
			id := remap[it.KeyID]
			if it.IsList {
				id |= listKeyFlag
				table := uint64(it.valueAt) - start
				count := be.Uint32(region[table:])
				for k := range uint64(count) {
					item := table + 4 + 4*k
					be.PutUint32(region[item:], uint32(int64(be.Uint32(region[item:]))+delta))
				}
			}
			be.PutUint32(region[slot:], id)
			be.PutUint32(region[slot+4:], uint32(int64(it.valueAt)+delta))
		}
	}
	return nil
}
