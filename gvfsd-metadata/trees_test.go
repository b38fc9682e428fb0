package main

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"gvfs-metadata/format"
	"gvfs-metadata/store"
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

// TestAFlushAfterTheExitFlushIsQuiet: a flush timer that fires while the
// daemon flushes and closes its trees on the way out finds its tree
// closed; that is no failure to log, and the write is in the tree.
func TestAFlushAfterTheExitFlushIsQuiet(t *testing.T) {
	var logged []string
	ts := newTrees(func(f string, args ...any) { logged = append(logged, fmt.Sprintf(f, args...)) })
	treefile := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	tr, cerr := ts.get(treefile)
	if cerr != nil {
		t.Fatal(cerr)
	}
	if err := tr.st.Apply(format.Change{Op: format.OpSet, Path: "/a", Key: "k", Value: "v"}); err != nil {
		t.Fatal(err)
	}
	ts.flushAll()
	ts.flush(tr) // the timer's flush, late
	if len(logged) != 0 {
		t.Errorf("logged %q", logged)
	}
	st, err := store.Open(treefile, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, ok, err := st.Get("/a", "k"); err != nil || !ok || v.Str != "v" {
		t.Fatalf("/a after the exit flush: %q %v %v", v.Str, ok, err)
	}
}
