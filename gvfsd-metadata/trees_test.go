// SPDX-License-Identifier: LGPL-2.0-or-later

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
	ts := newTrees(t.Logf, 0)
	clk := newHandClock()
	ts.clock = clk
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
	clk.Advance(ts.delay)
	if tr.st.Dirty() || !ts.clean() {
		t.Fatal("the flush timer did not merge the journal")
	}
	if v, ok, _ := tr.st.Get("/a", "k"); !ok || v.Value != "v" {
		t.Fatalf("after the flush: %+v %v", v, ok)
	}
}

// TestAFlushAfterTheExitFlushIsQuiet: a flush timer that fires while the
// daemon flushes and closes its trees on the way out finds its tree
// closed; that is no failure to log, and the write is in the tree.
func TestAFlushAfterTheExitFlushIsQuiet(t *testing.T) {
	var logged []string
	ts := newTrees(func(f string, args ...any) { logged = append(logged, fmt.Sprintf(f, args...)) }, 0)
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
	if v, ok, err := st.Get("/a", "k"); err != nil || !ok || v.Value != "v" {
		t.Fatalf("/a after the exit flush: %q %v %v", v.Value, ok, err)
	}
}

// TestAnIdleTreeIsWrittenOutAndClosedButNotWhileInUse: closeAfter without
// writes, a tree is flushed and closed, and the next call opens it again;
// a tree a call still holds stays open until it is released and idle.
func TestAnIdleTreeIsWrittenOutAndClosedButNotWhileInUse(t *testing.T) {
	const closeAfter = 150 * time.Millisecond
	ts := newTrees(t.Logf, closeAfter)
	clk := newHandClock()
	ts.clock = clk
	defer ts.flushAll()
	treefile := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	isOpen := func() bool {
		ts.mu.Lock()
		defer ts.mu.Unlock()
		return ts.open[treefile] != nil
	}
	// The timers run on the test's clock, in Advance: closed within
	// a time is closed once the clock moved by it.
	waitClosed := func(within time.Duration) bool {
		clk.Advance(within)
		return !isOpen()
	}

	tr, cerr := ts.get(treefile)
	if cerr != nil {
		t.Fatal(cerr)
	}
	if err := tr.st.Set("/a", "k", "v"); err != nil {
		t.Fatal(err)
	}
	ts.written(tr)
	// Still held by the call: not closed, however long it takes.
	if waitClosed(3 * closeAfter) {
		t.Fatal("a tree a call still held was closed")
	}
	ts.release(tr)
	ts.written(tr) // as if the call wrote again, to arm the check
	if !waitClosed(5 * time.Second) {
		t.Fatal("an idle tree was not closed")
	}
	if _, err := tr.st.Stats(); err == nil {
		t.Error("the closed tree's store still answers")
	}
	st, err := store.Open(treefile, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, ok, err := st.Get("/a", "k"); err != nil || !ok || v.Value != "v" {
		t.Fatalf("/a after closing: %q %v %v", v.Value, ok, err)
	}
	if stats, _ := st.Stats(); stats.JournalEntries != 0 {
		t.Errorf("closed with %d entries in the journal, want them in the tree", stats.JournalEntries)
	}

	again, cerr := ts.get(treefile)
	if cerr != nil || again == tr {
		t.Fatalf("the next call got %p (%v), want a reopened tree", again, cerr)
	}
	if err := again.st.Set("/b", "k", "w"); err != nil {
		t.Fatalf("writing to the reopened tree: %v", err)
	}
	ts.written(again)
	ts.release(again)
}
