// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"gvfs-metadata/format"
)

var be = binary.BigEndian

// damage is one way of breaking a reference tree or its journal that the
// format makes detectable.
type damage struct {
	name    string
	journal bool // damage the journal instead of the tree
	apply   func(t *testing.T, data []byte, tr *format.Tree) []byte
}

// firstDirWith returns an entry whose children block has at least n
// entries, and that block's offset.
func firstDirWith(t *testing.T, tr *format.Tree, n int) (format.Dirent, format.Dir) {
	queue := []format.Dirent{tr.Root()}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		dir, err := d.Children()
		if err != nil {
			continue
		}
		if dir.Len() >= n {
			return d, dir
		}
		for i := 0; i < dir.Len(); i++ {
			queue = append(queue, dir.Child(i))
		}
	}
	t.Fatalf("no directory with %d children", n)
	return format.Dirent{}, format.Dir{}
}

// firstDataWith returns a metadata block with at least n keys.
func firstDataWith(t *testing.T, tr *format.Tree, n int) format.Data {
	queue := []format.Dirent{tr.Root()}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if data, err := d.Data(); err == nil && data.Len() >= n {
			return data
		}
		if dir, err := d.Children(); err == nil {
			for i := 0; i < dir.Len(); i++ {
				queue = append(queue, dir.Child(i))
			}
		}
	}
	t.Fatalf("no metadata block with %d keys", n)
	return format.Data{}
}

var damages = []damage{
	{"flipped magic byte", false, func(t *testing.T, b []byte, tr *format.Tree) []byte { b[2] ^= 0x20; return b }},
	{"flipped major version", false, func(t *testing.T, b []byte, tr *format.Tree) []byte { b[6] ^= 2; return b }},
	{"truncated to half", false, func(t *testing.T, b []byte, tr *format.Tree) []byte { return b[:len(b)/2] }},
	{"truncated header", false, func(t *testing.T, b []byte, tr *format.Tree) []byte { return b[:20] }},
	{"root offset misaligned", false, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		be.PutUint32(b[16:], be.Uint32(b[16:])+1)
		return b
	}},
	{"key table past the end", false, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		be.PutUint32(b[20:], uint32(len(b)+64))
		return b
	}},
	{"children count too large", false, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		_, dir := firstDirWith(t, tr, 1)
		be.PutUint32(b[dir.Offset():], 1<<28)
		return b
	}},
	{"children out of order", false, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		_, dir := firstDirWith(t, tr, 2)
		a, c := dir.Child(0).Offset(), dir.Child(1).Offset()
		tmp := append([]byte(nil), b[a:a+16]...)
		copy(b[a:a+16], b[c:c+16])
		copy(b[c:c+16], tmp)
		return b
	}},
	{"children block reached twice", false, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		parent, dir := firstDirWith(t, tr, 1)
		be.PutUint32(b[dir.Child(0).Offset()+4:], parent.ChildrenOffset())
		return b
	}},
	{"child name offset past the end", false, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		_, dir := firstDirWith(t, tr, 1)
		be.PutUint32(b[dir.Child(0).Offset():], uint32(len(b)+8))
		return b
	}},
	{"metadata block misaligned", false, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		_, dir := firstDirWith(t, tr, 1)
		be.PutUint32(b[dir.Child(0).Offset()+8:], dir.Child(0).DataOffset()+2)
		return b
	}},
	{"key id outside the key table", false, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		it := firstDataWith(t, tr, 1).Item(0)
		be.PutUint32(b[it.Offset:], be.Uint32(b[it.Offset:])&0x80000000|uint32(tr.NumKeys()+5))
		return b
	}},
	{"metadata keys out of order", false, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		data := firstDataWith(t, tr, 2)
		a, c := data.Item(0).Offset, data.Item(1).Offset
		tmp := append([]byte(nil), b[a:a+8]...)
		copy(b[a:a+8], b[c:c+8])
		copy(b[c:c+8], tmp)
		return b
	}},
	{"value offset past the end", false, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		it := firstDataWith(t, tr, 1).Item(0)
		be.PutUint32(b[it.Offset+4:], uint32(len(b)+100))
		return b
	}},
	{"marked rotated", false, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		be.PutUint32(b[8:], 0xffffffff)
		return b
	}},
	{"journal entry with a wrong checksum", true, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		b[format.JournalHeaderSize+4] ^= 1
		return b
	}},
	{"journal entry byte flipped", true, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		b[format.JournalHeaderSize+18] ^= 0x40
		return b
	}},
	{"journal truncated", true, func(t *testing.T, b []byte, tr *format.Tree) []byte { return b[:len(b)-1000] }},
	{"journal of another tree", true, func(t *testing.T, b []byte, tr *format.Tree) []byte { b[9] ^= 0xff; return b }},
	{"journal entry size garbage", true, func(t *testing.T, b []byte, tr *format.Tree) []byte {
		be.PutUint32(b[format.JournalHeaderSize:], 0x7ffffff0)
		return b
	}},
}

// damagedCopy writes a copy of a reference case into dir with one damage
// applied, and returns the tree's path.
func damagedCopy(t *testing.T, refDir, dir string, d damage) string {
	t.Helper()
	tree, err := os.ReadFile(filepath.Join(refDir, "home"))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := format.ParseTree(append([]byte(nil), tree...))
	if err != nil {
		t.Fatal(err)
	}
	jname := format.JournalFilename("home", tr.Tag())
	journal, err := os.ReadFile(filepath.Join(refDir, jname))
	if err != nil {
		t.Fatal(err)
	}
	if d.journal {
		journal = d.apply(t, journal, tr)
	} else {
		tree = d.apply(t, append([]byte(nil), tree...), tr)
	}
	os.WriteFile(filepath.Join(dir, "home"), tree, 0o600)
	os.WriteFile(filepath.Join(dir, jname), journal, 0o600)
	return filepath.Join(dir, "home")
}
