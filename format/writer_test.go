// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"bytes"
	"testing"
)

// breadthFirstEntries lists a tree's entries in the order a builder
// writes them.
func breadthFirstEntries(t *testing.T, tr *Tree) []Dirent {
	t.Helper()
	order := []Dirent{tr.Root()}
	for i := 0; i < len(order); i++ {
		dir, err := order[i].Children()
		if err != nil {
			t.Fatalf("children of the entry at %d: %v", order[i].Offset(), err)
		}
		for j := 0; j < dir.Len(); j++ {
			order = append(order, dir.Child(j))
		}
	}
	return order
}

// rewrite lays tr out again with tag through a Writer, the way a
// rotation does: every children block and metadata run copied whole when
// copy is set, else entry by entry from the old entries.
func rewrite(t *testing.T, tr *Tree, tag uint32, copyBlocks bool) []byte {
	t.Helper()
	order := breadthFirstEntries(t, tr)
	var lo, hi int64
	for _, d := range order {
		if c := d.LastChanged(); c != 0 {
			if lo == 0 || c < lo {
				lo = c
			}
			hi = max(hi, c)
		}
	}
	var keys []string
	for id := 0; id < tr.NumKeys(); id++ {
		name, _ := tr.KeyName(uint32(id))
		keys = append(keys, string(name))
	}
	w, rootOff := NewWriter(tag, TimeBase(lo, hi), keys, tr.Root().LastChanged(), 0)
	dirents := make([]uint32, len(order))
	dirents[0] = rootOff
	next := 1
	for i, d := range order {
		dir, _ := d.Children()
		if copyBlocks {
			offs, err := w.CopyChildren(dirents[i], tr, dir)
			if err != nil {
				t.Fatalf("CopyChildren of a builder's block: %v", err)
			}
			next += copy(dirents[next:], offs)
			continue
		}
		w.BeginChildren(dirents[i])
		for j := 0; j < dir.Len(); j++ {
			off, err := w.ChildFrom(dir.Child(j), dir.Child(j).LastChanged())
			if err != nil {
				t.Fatalf("ChildFrom: %v", err)
			}
			dirents[next] = off
			next++
		}
		w.EndChildren()
	}
	data, _ := tr.Root().Data()
	if err := w.MetadataFrom(rootOff, tr, data); err != nil {
		t.Fatalf("MetadataFrom of the root: %v", err)
	}
	w.EndMetadataRun()
	next = 1
	for _, d := range order {
		dir, _ := d.Children()
		n := dir.Len()
		if copyBlocks {
			if err := w.CopyMetadataRun(tr, dir, dirents[next:next+n]); err != nil {
				t.Fatalf("CopyMetadataRun of a builder's run: %v", err)
			}
			next += n
			continue
		}
		for j := 0; j < n; j++ {
			data, _ := dir.Child(j).Data()
			if err := w.MetadataFrom(dirents[next], tr, data); err != nil {
				t.Fatalf("MetadataFrom: %v", err)
			}
			next++
		}
		w.EndMetadataRun()
	}
	return w.Bytes()
}

// TestWriterRelaidOutWritesTheBuildersBytes lays a builder's tree out
// again with a Writer, copying every block whole, and entry by entry from
// the old entries: both give the bytes the builder gives.
func TestWriterRelaidOutWritesTheBuildersBytes(t *testing.T) {
	tr, err := ParseTree(Build(sampleTree(), 1))
	if err != nil {
		t.Fatal(err)
	}
	want := Build(sampleTree(), 2)
	for name, copyBlocks := range map[string]bool{"copying every block": true, "entry by entry": false} {
		if got := rewrite(t, tr, 2, copyBlocks); !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes differ from the builder's %d", name, len(got), len(want))
		}
	}
}

func TestWriterMovesTimesToANewBase(t *testing.T) {
	tr, err := ParseTree(Build(sampleTree(), 1))
	if err != nil {
		t.Fatal(err)
	}
	// A child much older than every time of the old tree moves the base.
	const older = 1600000000
	w, rootOff := NewWriter(3, TimeBase(older, 1700000100), []string{"note"}, 1700000000, 0)
	w.BeginChildren(rootOff)
	a, _, _ := tr.Lookup([]byte("/a.txt"))
	aOff, err := w.ChildFrom(a, a.LastChanged())
	if err != nil {
		t.Fatal(err)
	}
	oldOff := w.Child("old", older)
	w.EndChildren()
	for _, off := range []uint32{aOff, oldOff} {
		w.BeginChildren(off)
		w.EndChildren()
	}
	w.Metadata(rootOff, nil)
	w.EndMetadataRun()
	w.Metadata(aOff, []KeyValue{{Key: "note", Value: "kept"}})
	w.Metadata(oldOff, nil)
	w.EndMetadataRun()
	out, err := ParseTree(w.Bytes())
	if err != nil {
		t.Fatalf("the written tree does not parse: %v", err)
	}
	for path, want := range map[string]int64{"/a.txt": 1700000100, "/old": older} {
		d, ok, err := out.Lookup([]byte(path))
		if err != nil || !ok {
			t.Fatalf("lookup %s: %v %v", path, ok, err)
		}
		if d.LastChanged() != want {
			t.Errorf("%s changed at %d, want %d", path, d.LastChanged(), want)
		}
	}
	if problems := CheckTree(w.Bytes()); len(problems) > 0 {
		t.Errorf("the written tree checks with problems: %v", problems)
	}
}
