package main

import (
	"path/filepath"
	"testing"
	"time"

	"gvfs-metadata/format"
)

// TestWritesAreFlushedByTheTimerAfterTheFirstWrite: the first write to a
// clean tree schedules one flush; it merges the journal into the tree.
func TestWritesAreFlushedByTheTimerAfterTheFirstWrite(t *testing.T) {
	ts := newTrees(t.Logf)
	ts.delay = 100 * time.Millisecond
	treefile := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	tr, cerr := ts.get(treefile)
	if cerr != nil {
		t.Fatal(cerr)
	}
	defer ts.flushAll()
	if err := tr.st.Apply(format.Change{Op: format.OpSet, Path: "/a", Key: "k", Value: "v"}); err != nil {
		t.Fatal(err)
	}
	ts.written(tr)
	first := tr.timer
	ts.written(tr)
	if tr.timer != first {
		t.Fatal("a second write rescheduled the flush; the reference flushes a fixed time after the first")
	}
	if !tr.st.Dirty() || ts.clean() {
		t.Fatal("journal should hold the write before the timer")
	}
	deadline := time.Now().Add(5 * time.Second)
	for tr.st.Dirty() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if tr.st.Dirty() || !ts.clean() {
		t.Fatal("the flush timer did not merge the journal")
	}
	if v, ok, _ := tr.st.Get("/a", "k"); !ok || v.Str != "v" {
		t.Fatalf("after the flush: %+v %v", v, ok)
	}
}
