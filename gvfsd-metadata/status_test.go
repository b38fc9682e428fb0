// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"path/filepath"
	"testing"

	"gvfs-metadata/format"
	"gvfs-metadata/store"
)

// TestStatusShowsAnotherWriterOfATree: a tree only this daemon writes has
// no other writer in its status; once another process's store appends
// to its journal, the daemon's next write sees it, and the status says
// so with the co-writer counters.
func TestStatusShowsAnotherWriterOfATree(t *testing.T) {
	ts := newTrees(t.Logf, 0)
	treefile := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	tr, cerr := ts.get(treefile)
	if cerr != nil {
		t.Fatal(cerr)
	}
	defer ts.flushAll()
	set := func(path string) {
		t.Helper()
		if err := tr.st.Apply(format.Change{Op: format.OpSet, Path: path, Key: "k", Value: "v"}); err != nil {
			t.Fatal(err)
		}
	}
	set("/ours")
	if st := ts.status(); len(st) != 1 || st[0].OtherWriter != nil {
		t.Fatalf("alone: %+v", st)
	}
	other, err := store.Open(treefile, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Set("/theirs", "k", "v"); err != nil {
		t.Fatal(err)
	}
	other.Close()
	set("/ours-again")
	st := ts.status()
	if len(st) != 1 || st[0].OtherWriter == nil {
		t.Fatalf("after another writer appended: %+v", st)
	}
	if o := *st[0].OtherWriter; o.WrittenAgain != 0 || o.Carried != 0 || o.Dropped != 0 {
		t.Errorf("counters with nothing lost: %+v", o)
	}
}
