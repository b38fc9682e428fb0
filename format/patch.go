// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"errors"
	"io"
	"math"
	"sort"
)

// Patch describes a new tree file made from an old one without moving any
// of its blocks: the old file's bytes as they are, a few 16-byte entries
// rewritten in place, and new blocks appended after them. Readers follow
// offsets and never look at what nothing points to, so the result is a
// tree like any other; the blocks it no longer reaches are dead weight
// until a full rewrite (Build, Writer) lays the tree out again. What it
// saves is the work: making it costs in proportion to the change, not to
// the tree.
type Patch struct {
	old   *Tree
	start uint32   // offset of the first appended byte: the old size, 4-aligned
	out   [][]byte // appended bytes, in pieces (see write)
	size  int      // of all pieces
	edits []edit   // in-place rewrites of the old bytes, in order
}

// Appended bytes go into pieces of up to pieceSize, and a string longer
// than that into a piece of its own, so that a large value is copied once
// and no piece is ever regrown: a 60 MB value must not cost 120 MB.
const pieceSize = 64 << 10

// write appends b.
func (p *Patch) write(b []byte) {
	p.piece(len(b))
	p.out[len(p.out)-1] = append(p.out[len(p.out)-1], b...)
	p.size += len(b)
}

// piece makes the last piece one with room for n more bytes.
func (p *Patch) piece(n int) {
	last := len(p.out) - 1
	if last < 0 || len(p.out[last])+n > cap(p.out[last]) {
		p.out = append(p.out, make([]byte, 0, max(n, pieceSize)))
	}
}

func (p *Patch) writeUint32(v uint32) {
	var b [4]byte
	be.PutUint32(b[:], v)
	p.write(b[:])
}

type edit struct {
	off  uint32
	data []byte
}

// DirentFields are the four fields of an entry, as stored: offsets of its
// name, children block and metadata block (0: none), and its time as an
// offset from the tree's time base (see Patch.Time).
type DirentFields struct {
	Name, Children, Metadata, Time uint32
}

// Fields returns an entry's stored fields.
func (d Dirent) Fields() DirentFields {
	return DirentFields{Name: d.field(0), Children: d.field(1), Metadata: d.field(2), Time: d.field(3)}
}

// ErrNotPatchable is returned when a change cannot be expressed against
// the old tree's key table or time base: a key the old tree does not
// know, a time past what the base can hold. The tree must then be
// rewritten whole.
var ErrNotPatchable = errors.New("change needs a full rewrite of the tree")

// NewPatch starts a patch of old that gives the new file the tag tag.
func NewPatch(old *Tree, tag uint32) *Patch {
	p := &Patch{old: old, start: uint32(pad4(len(old.data)))}
	var h [8]byte
	be.PutUint32(h[0:], 0) // rotated: the copy starts out current
	be.PutUint32(h[4:], tag)
	p.edits = append(p.edits, edit{off: RotatedOffset, data: h[:]})
	return p
}

// Size is the size of the new file.
func (p *Patch) Size() int { return int(p.start) + p.size }

// Appended is how many bytes the patch adds to the old file.
func (p *Patch) Appended() int { return p.Size() - len(p.old.data) }

// Time stores t as an offset from the old tree's time base; false when
// the base cannot hold it (at or below the base, or more than 32 bits
// past it), where a full rewrite would move the base.
func (p *Patch) Time(t int64) (uint32, bool) {
	switch {
	case t == 0:
		return 0, true
	case t <= p.old.base || t-p.old.base > math.MaxUint32:
		return 0, false
	}
	return uint32(t - p.old.base), true
}

func (p *Patch) here() uint32 { return p.start + uint32(p.size) }

func (p *Patch) align() {
	var zeros [3]byte
	p.write(zeros[:pad4(p.size)-p.size])
}

// String appends s, NUL-terminated, and returns its offset.
func (p *Patch) String(s string) uint32 {
	off := p.here()
	p.piece(len(s) + 1)
	last := len(p.out) - 1
	p.out[last] = append(append(p.out[last], s...), 0)
	p.size += len(s) + 1
	return off
}

// Data appends a metadata block holding keys (sorted by name, as Node
// keeps them) and returns its offset. Every key must be in the old key
// table.
func (p *Patch) Data(keys []KeyValue) (uint32, error) {
	type item struct {
		id uint32
		kv *KeyValue
	}
	items := make([]item, len(keys))
	for i := range keys {
		id, ok := p.old.KeyID([]byte(keys[i].Key))
		if !ok {
			return 0, ErrNotPatchable
		}
		items[i] = item{id, &keys[i]}
	}
	// Names and ids sort alike (the key table is in bytewise order), but
	// the reader's binary search depends on it: sort by id.
	sort.Slice(items, func(i, j int) bool { return items[i].id < items[j].id })
	// Values first, so that the block's offsets are known when it is
	// written.
	values := make([]uint32, len(items))
	for i, it := range items {
		if !it.kv.IsList {
			values[i] = p.String(it.kv.Value)
			continue
		}
		strs := make([]uint32, len(it.kv.List))
		for j, s := range it.kv.List {
			strs[j] = p.String(s)
		}
		p.align()
		values[i] = p.here()
		p.writeUint32(uint32(len(strs)))
		for _, s := range strs {
			p.writeUint32(s)
		}
	}
	p.align()
	off := p.here()
	p.writeUint32(uint32(len(items)))
	for i, it := range items {
		id := it.id
		if it.kv.IsList {
			id |= listKeyFlag
		}
		p.writeUint32(id)
		p.writeUint32(values[i])
	}
	return off, nil
}

// Children appends a children block of entries (sorted by name) and
// returns its offset.
func (p *Patch) Children(entries []DirentFields) uint32 {
	p.align()
	off := p.here()
	p.writeUint32(uint32(len(entries)))
	for _, e := range entries {
		var b [DirentSize]byte
		p.write(appendFields(b[:0], e))
	}
	return off
}

// SetEntry rewrites the old entry at off with f.
func (p *Patch) SetEntry(off uint32, f DirentFields) {
	p.edits = append(p.edits, edit{off: off, data: appendFields(make([]byte, 0, DirentSize), f)})
}

// Safe reports whether the entries rewritten in place leave the header
// and the key table (its slots and names) as they are. In a tree a
// builder wrote nothing overlaps them; a hostile one may lay an entry
// over them, and rewriting that entry in place would leave a file that
// no longer parses.
func (p *Patch) Safe() bool {
	for _, e := range p.edits[1:] { // edits[0] is the header's own
		lo, hi := uint64(e.off), uint64(e.off)+uint64(len(e.data))
		safe := lo >= TreeHeaderSize
		p.old.keySpans(func(start, end uint64) {
			if lo < end && start < hi {
				safe = false
			}
		})
		if !safe {
			return false
		}
	}
	return true
}

func appendFields(b []byte, f DirentFields) []byte {
	b = be.AppendUint32(b, f.Name)
	b = be.AppendUint32(b, f.Children)
	b = be.AppendUint32(b, f.Metadata)
	return be.AppendUint32(b, f.Time)
}

// WriteTo writes the patch over a copy of the old file's bytes: the
// appended blocks, then the rewritten entries.
func (p *Patch) WriteTo(w io.WriterAt) error {
	off := int64(len(p.old.data))
	if gap := int64(p.start) - off; gap > 0 {
		if _, err := w.WriteAt(make([]byte, gap), off); err != nil {
			return err
		}
	}
	off = int64(p.start)
	for _, piece := range p.out {
		if _, err := w.WriteAt(piece, off); err != nil {
			return err
		}
		off += int64(len(piece))
	}
	for _, e := range p.edits {
		if _, err := w.WriteAt(e.data, int64(e.off)); err != nil {
			return err
		}
	}
	return nil
}

// Apply returns the new file's bytes, for tests and for writers that
// cannot copy the old file in the kernel.
func (p *Patch) Apply() []byte {
	b := make([]byte, p.Size())
	copy(b, p.old.data)
	off := int(p.start)
	for _, piece := range p.out {
		off += copy(b[off:], piece)
	}
	for _, e := range p.edits {
		copy(b[e.off:], e.data)
	}
	return b
}
