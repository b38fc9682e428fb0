// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"errors"
	"hash/crc32"
	"strconv"
	"strings"
	"unsafe"
)

// Op is the operation a journal entry records.
type Op uint8

// Journal operations, with the codes the C implementation uses.
const (
	OpSet     Op = 0 // set a string value
	OpSetList Op = 1 // set a string-list value
	OpUnset   Op = 2 // unset a key
	OpCopy    Op = 3 // replace Path with a copy of Source and its subtree
	OpRemove  Op = 4 // remove Path and everything under it
)

func (o Op) String() string {
	switch o {
	case OpSet:
		return "set"
	case OpSetList:
		return "set-list"
	case OpUnset:
		return "unset"
	case OpCopy:
		return "copy"
	case OpRemove:
		return "remove"
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// Known reports whether o is one of the five operations readers apply;
// readers skip entries with any other code.
func (o Op) Known() bool { return o <= OpRemove }

// minEntrySize is the smallest entry a writer can produce: size, crc,
// mtime, op, the NUL of an empty path, padding, trailing size.
const minEntrySize = 24

// Change is one journal operation to encode. Strings hold raw bytes (paths
// need not be UTF-8) and must not contain NUL.
type Change struct {
	Op     Op
	Mtime  uint64
	Path   string
	Key    string   // set, set-list, unset
	Value  string   // set
	List   []string // set-list
	Source string   // copy: the path copied from; Path is the destination
}

// ErrNUL is returned when a string of a Change contains a NUL byte, which
// the format cannot represent.
var ErrNUL = errors.New("journal strings cannot contain NUL bytes")

// EncodedSize is the number of bytes AppendTo adds.
func (c *Change) EncodedSize() int {
	n := 17 + len(c.Path) + 1
	switch c.Op {
	case OpSet:
		n += len(c.Key) + 1 + len(c.Value) + 1
	case OpSetList:
		n += len(c.Key) + 1
		n = pad4(n) + 4
		for _, v := range c.List {
			n += len(v) + 1
		}
	case OpUnset:
		n += len(c.Key) + 1
	case OpCopy:
		n += len(c.Source) + 1
	}
	return pad4(n) + 4
}

func pad4(n int) int { return (n + 3) &^ 3 }

// AppendTo appends the entry's bytes, laid out exactly as the C writer lays
// them out, to dst.
func (c *Change) AppendTo(dst []byte) ([]byte, error) {
	if err := c.checkNUL(); err != nil {
		return dst, err
	}
	start := len(dst)
	dst = be.AppendUint32(dst, 0) // size, patched below
	dst = be.AppendUint32(dst, 0) // crc, patched below
	dst = be.AppendUint64(dst, c.Mtime)
	dst = append(dst, byte(c.Op))
	dst = appendCString(dst, c.Path)
	switch c.Op {
	case OpSet:
		dst = appendCString(dst, c.Key)
		dst = appendCString(dst, c.Value)
	case OpSetList:
		dst = appendCString(dst, c.Key)
		dst = appendPad(dst, start)
		dst = be.AppendUint32(dst, uint32(len(c.List)))
		for _, v := range c.List {
			dst = appendCString(dst, v)
		}
	case OpUnset:
		dst = appendCString(dst, c.Key)
	case OpCopy:
		dst = appendCString(dst, c.Source)
	}
	dst = appendPad(dst, start)
	size := uint32(len(dst) - start + 4)
	dst = be.AppendUint32(dst, size)
	be.PutUint32(dst[start:], size)
	be.PutUint32(dst[start+4:], crc32.ChecksumIEEE(dst[start+8:]))
	return dst, nil
}

func (c *Change) checkNUL() error {
	has := func(s string) bool { return strings.IndexByte(s, 0) >= 0 }
	if has(c.Path) || has(c.Key) || has(c.Value) || has(c.Source) {
		return ErrNUL
	}
	for _, v := range c.List {
		if has(v) {
			return ErrNUL
		}
	}
	return nil
}

func appendCString(dst []byte, s string) []byte {
	dst = append(dst, s...)
	return append(dst, 0)
}

func appendPad(dst []byte, start int) []byte {
	for (len(dst)-start)%4 != 0 {
		dst = append(dst, 0)
	}
	return dst
}

// Entry is a decoded journal entry. Its byte slices point into the journal.
type Entry struct {
	Offset uint32
	Size   uint32
	Mtime  uint64
	Op     Op
	Path   []byte
	Key    []byte   // set, set-list, unset
	Value  []byte   // set
	List   [][]byte // set-list
	Source []byte   // copy
}

// Change returns a copy of the entry that owns its strings.
func (e *Entry) Change() Change { return e.asChange(func(b []byte) string { return string(b) }) }

// View returns the entry as a Change whose strings share the bytes the
// entry was decoded from, so a large value is not copied. Those bytes must
// never change while the Change or any string taken from it is in use.
func (e *Entry) View() Change {
	return e.asChange(func(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) })
}

// asChange makes the entry's Change, each string made by str.
func (e *Entry) asChange(str func([]byte) string) Change {
	c := Change{Op: e.Op, Mtime: e.Mtime, Path: str(e.Path), Key: str(e.Key), Value: str(e.Value), Source: str(e.Source)}
	if e.List != nil {
		c.List = make([]string, len(e.List))
		for i, v := range e.List {
			c.List[i] = str(v)
		}
	}
	return c
}

// DecodeEntry checks and decodes the entry at off in a journal's bytes.
// Beyond the C reader's checks (alignment, size, trailing size, CRC) it
// also checks that every string the operation needs ends inside the entry,
// so a corrupt entry with a valid CRC cannot make anyone read past it.
func DecodeEntry(data []byte, off uint32) (Entry, error) {
	if off%4 != 0 {
		return Entry{}, formatErr(int64(off), "journal entry is not 4-byte aligned")
	}
	size, ok := u32(data, uint64(off))
	if !ok {
		return Entry{}, formatErr(int64(off), "journal entry size runs past the end of the file")
	}
	if size%4 != 0 || size < minEntrySize {
		return Entry{}, formatErr(int64(off), "journal entry size %d is invalid", size)
	}
	if uint64(off)+uint64(size) > uint64(len(data)) {
		return Entry{}, formatErr(int64(off), "journal entry of %d bytes runs past the end of the file", size)
	}
	b := data[off : off+size]
	if end := be.Uint32(b[size-4:]); end != size {
		return Entry{}, formatErr(int64(off)+int64(size)-4, "journal entry end marker %d does not match its size %d", end, size)
	}
	if sum := crc32.ChecksumIEEE(b[8:]); sum != be.Uint32(b[4:]) {
		return Entry{}, formatErr(int64(off)+4, "journal entry checksum mismatch")
	}
	e := Entry{Offset: off, Size: size, Mtime: be.Uint64(b[8:]), Op: Op(b[16])}
	body := b[:size-4]
	var p uint64 = 17
	next := func(what string) ([]byte, error) {
		s, ok := cString(body, p)
		if !ok {
			return nil, formatErr(int64(off)+int64(p), "journal %s entry: %s is not terminated inside the entry", e.Op, what)
		}
		p += uint64(len(s)) + 1
		return s, nil
	}
	var err error
	if e.Path, err = next("path"); err != nil {
		return Entry{}, err
	}
	switch e.Op {
	case OpSet:
		if e.Key, err = next("key"); err != nil {
			return Entry{}, err
		}
		if e.Value, err = next("value"); err != nil {
			return Entry{}, err
		}
	case OpSetList:
		if e.Key, err = next("key"); err != nil {
			return Entry{}, err
		}
		p = uint64(pad4(int(p)))
		n, ok := u32(body, p)
		if !ok {
			return Entry{}, formatErr(int64(off)+int64(p), "journal set-list entry: count runs past the entry")
		}
		p += 4
		if uint64(n) > uint64(len(body))-p {
			return Entry{}, formatErr(int64(off)+int64(p)-4, "journal set-list entry: %d values cannot fit in the entry", n)
		}
		e.List = make([][]byte, n)
		for i := range e.List {
			if e.List[i], err = next("list value"); err != nil {
				return Entry{}, err
			}
		}
	case OpUnset:
		if e.Key, err = next("key"); err != nil {
			return Entry{}, err
		}
	case OpCopy:
		if e.Source, err = next("source path"); err != nil {
			return Entry{}, err
		}
	}
	return e, nil
}
