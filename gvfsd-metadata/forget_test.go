// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gvfs-metadata/format"
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
	words := [][]byte{[]byte("Zq7Secret"), []byte("Xv9private")}
	if !holdsAny(t, dir, words) {
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
	if holdsAny(t, dir, words) {
		t.Error("after the flush, a file of the metadata directory still holds a removed name or value")
	}
	if v, ok, _ := tr.st.Get("/Documents/new", "note"); !ok || v.Value != "added" {
		t.Errorf("the flush lost a write: %+v %v", v, ok)
	}
}

func holdsAny(t *testing.T, dir string, words [][]byte) bool {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range words {
			if bytes.Contains(b, w) {
				t.Logf("%s holds %s", e.Name(), w)
				return true
			}
		}
	}
	return false
}
