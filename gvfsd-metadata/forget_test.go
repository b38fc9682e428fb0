// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"path/filepath"
	"testing"
	"time"

	"gvfs-metadata/format"
	"gvfs-metadata/internal/testenv"
)

// TestARemovedPathIsInNoFileAfterTheTimedFlush: metadata written out into
// the tree, then removed as GIO removes a deleted folder's; once the
// flush that follows the Remove (the reference's minute, shortened here)
// has run, neither the tree nor the journal holds the removed names or
// values. A patched tree would still hold them, unreferenced.
func TestARemovedPathIsInNoFileAfterTheTimedFlush(t *testing.T) {
	ts := newTrees(t.Logf, 0)
	ts.delay = 100 * time.Millisecond
	dir := filepath.Join(t.TempDir(), "gvfs-metadata")
	tr, cerr := ts.get(filepath.Join(dir, "home"))
	if cerr != nil {
		t.Fatal(cerr)
	}
	defer ts.flushAll()
	set := func(path, value string) {
		if err := tr.st.Apply(format.Change{Op: format.OpSet, Path: path, Key: "note", Value: value}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 50; i++ {
		set("/Documents/file"+string(rune('a'+i%26))+string(rune('a'+i/26)), "kept")
	}
	set("/Zq7Secret/a.txt", "Xv9private")
	if err := tr.st.Compact(); err != nil {
		t.Fatal(err)
	}
	words := []string{"Zq7Secret", "Xv9private"}
	if len(testenv.FilesHolding(t, words, dir)) == 0 {
		t.Fatal("the tree does not hold the names before the Remove: the test would prove nothing")
	}
	set("/Documents/new", "added") // in the same flush: a patch would be possible
	if err := tr.st.Remove("/Zq7Secret"); err != nil {
		t.Fatal(err)
	}
	ts.written(tr)
	for deadline := time.Now().Add(10 * time.Second); tr.st.Dirty() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if tr.st.Dirty() {
		t.Fatal("the flush timer did not write the tree out")
	}
	if found := testenv.FilesHolding(t, words, dir); len(found) > 0 {
		t.Errorf("after the flush: %v", found)
	}
	if v, ok, _ := tr.st.Get("/Documents/new", "note"); !ok || v.Value != "added" {
		t.Errorf("the flush lost a write: %+v %v", v, ok)
	}
}
