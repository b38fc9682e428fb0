// SPDX-License-Identifier: LGPL-2.0-or-later

package main

// testCase is one scenario; run writes its case directories.
type testCase struct {
	name string
	run  func(g *generator) error
}

// cases in the order they run. Each runs in a fresh session (fresh HOME and
// data dir), so no case's files depend on another's.
var cases = []testCase{
	liveAndFlushed("strings-and-lists", stringsAndListsDesc, stringsAndLists),
	liveAndFlushed("unset-and-reset", unsetAndResetDesc, unsetAndReset),
	liveAndFlushed("remove-directory", removeDirectoryDesc, removeDirectory),
	liveAndFlushed("move-and-copy", moveAndCopyDesc, moveAndCopy),
	liveAndFlushed("root-level", rootLevelDesc, rootLevel),
	liveAndFlushed("non-utf8-names", nonUTF8NamesDesc, nonUTF8Names),
	liveAndFlushed("near-4k", near4kDesc, near4k),
	liveAndFlushed("ten-thousand", tenThousandDesc, tenThousand),
	{"never-rotated", neverRotated},
	{"rotated-twice", rotatedTwice},
	{"corrupt-journal-tail", corruptJournalTail},
}

// liveAndFlushed runs a scenario once and writes two directories from it:
// <name>-live (tree + non-empty journal, daemon still running) and
// <name>-flushed (after the reference merged the journal on logout).
func liveAndFlushed(name, description string, scenario func(w *World)) testCase {
	return testCase{name, func(g *generator) error {
		w, err := newWorld()
		if err != nil {
			return err
		}
		defer w.Close()
		scenario(w)
		if err := g.emitLive(w, name+"-live", description); err != nil {
			return err
		}
		return g.emitFlushed(w, name+"-flushed", description)
	}}
}
