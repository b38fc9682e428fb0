// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"testing"

	"gvfs-metadata/format"
)

// TestSalvageReadsThroughTheFileSystemItIsGiven: the tree and journal
// exist only in a test file system, so Salvage finds anything only by
// reading through it. With the tree's header readable the journal is the
// one its tag names; with the header gone, the only journal beside it.
func TestSalvageReadsThroughTheFileSystemItIsGiven(t *testing.T) {
	const tree = "/home/u/.local/share/gvfs-metadata/home"
	mfs := newMemFS()
	s, err := Open(tree, Options{FS: mfs})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("/in-tree", "k", "flushed"); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("/in-journal", "k", "appended"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	root, rep, err := Salvage(tree, mfs)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.TreeReadable || rep.JournalApplied != 1 || rep.JournalError != nil {
		t.Fatalf("report %+v", rep)
	}
	want := map[string]string{"in-tree": "flushed", "in-journal": "appended"}
	if got := salvagedValues(root); len(got) != 2 || got["in-tree"] != want["in-tree"] || got["in-journal"] != want["in-journal"] {
		t.Fatalf("salvaged %v, want %v", got, want)
	}

	// Wipe the tree's header: its tag is gone, the journal is found by name.
	f, err := mfs.OpenWrite(tree)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, 16), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	root, rep, err = Salvage(tree, mfs)
	if err != nil {
		t.Fatal(err)
	}
	if rep.TreeReadable || rep.TreeError == nil || rep.JournalApplied != 1 {
		t.Fatalf("report with a wiped header %+v", rep)
	}
	if got := salvagedValues(root); len(got) != 1 || got["in-journal"] != "appended" {
		t.Fatalf("salvaged with a wiped header %v", got)
	}

	if _, _, err := Salvage(tree+"-missing", mfs); err == nil {
		t.Fatal("salvage of a missing tree succeeded")
	}
}

// salvagedValues maps each top-level entry of a salvaged tree to its "k".
func salvagedValues(root *format.Node) map[string]string {
	out := map[string]string{}
	for _, c := range root.Children {
		for _, kv := range c.Keys {
			if kv.Key == "k" {
				out[c.Name] = kv.Value
			}
		}
	}
	return out
}
