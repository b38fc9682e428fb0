// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"os"
	"path/filepath"
	"testing"
)

// seedFiles adds the reference-written files of ../testdata to a corpus.
func seedFiles(f *testing.F, match func(name string) bool) {
	paths, _ := filepath.Glob("../testdata/*/*")
	for _, p := range paths {
		if match(filepath.Base(p)) {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
}

func isJournalName(name string) bool { return filepath.Ext(name) == ".log" }

// FuzzTree feeds arbitrary bytes to the tree reader and checker: whatever
// they hold, nothing may panic, loop or read outside the slice.
func FuzzTree(f *testing.F) {
	f.Add(Build(sampleTree(), 7))
	f.Add(Build(&Node{}, 1))
	seedFiles(f, func(n string) bool { return !isJournalName(n) && n != "manifest.json" && n != "README.md" })
	f.Fuzz(func(t *testing.T, data []byte) {
		CheckTree(data)
		tr, err := ParseTree(data)
		if err != nil {
			return
		}
		tr.Rotated()
		for _, p := range []string{"/", "/a.txt", "/dir/x", "//dir//"} {
			d, ok, err := tr.Lookup([]byte(p))
			if err != nil || !ok {
				continue
			}
			d.LastChanged()
			if data, err := d.Data(); err == nil {
				for i := 0; i < data.Len(); i++ {
					it := data.Item(i)
					it.Key()
					it.Value()
					it.Values()
				}
				data.Find(0)
			}
			if dir, err := d.Children(); err == nil {
				dir.Lookup([]byte("x"))
			}
		}
		tr.KeyID([]byte("emblems"))
	})
}

// FuzzJournal feeds arbitrary bytes to the journal reader: header checks,
// entry validation and decoding must stay inside the slice and never panic.
func FuzzJournal(f *testing.F) {
	var entries []byte
	for _, c := range []Change{
		{Op: OpSet, Mtime: 1, Path: "/a", Key: "k", Value: "v"},
		{Op: OpSetList, Mtime: 2, Path: "/a", Key: "l", List: []string{"x", "y"}},
		{Op: OpCopy, Mtime: 3, Path: "/b", Source: "/a"},
		{Op: OpRemove, Mtime: 4, Path: "/a"},
		{Op: OpUnset, Mtime: 5, Path: "/b", Key: "k"},
	} {
		entries, _ = c.AppendTo(entries)
	}
	j := make([]byte, 1024)
	copy(j, NewJournalHeader(9, 1024))
	copy(j[JournalHeaderSize:], entries)
	be.PutUint32(j[JournalNumEntriesOffset:], 5)
	f.Add(j)
	seedFiles(f, isJournalName)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < JournalHeaderSize {
			ParseJournal(data, 0)
			return
		}
		tag := be.Uint32(data[journalTagOffset:])
		CheckJournal(data, tag)
		jr, err := ParseJournal(data, tag)
		if err != nil {
			return
		}
		for i := 0; i < jr.Len(); i++ {
			if e, err := jr.Entry(i); err == nil {
				e.Change()
			}
		}
		jr.EntryBytes(0, jr.Len())
		// Entries at arbitrary (even unaligned) offsets, as a reader
		// walking backwards from a corrupt size would meet them.
		for _, off := range []uint32{0, 1, JournalHeaderSize, uint32(len(data)) / 2, uint32(len(data)) - 4} {
			DecodeEntry(data, off)
		}
	})
}
