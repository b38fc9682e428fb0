// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gvfs-metadata/compat/client"
	"gvfs-metadata/internal/testenv"
)

// removedWords are what TestRemovedMetadataLeavesEveryFileWithinAMinute
// removes: a directory's name, a value under it, and a value set anew.
var removedWords = []string{"Zq7Secret", "Xv9private", "Old7value"}

// TestRemovedMetadataLeavesEveryFileWithinAMinute: metadata set under a
// directory, and a value set twice; the directory deleted with gio, which
// sends the daemon a Remove as any application's delete does. Once the
// daemon has written out (a minute after the first change, as the
// reference does), no file of the metadata, runtime or state directory
// holds the removed names or values, with either daemon, and the file
// outside keeps its metadata. For this daemon the names are first written
// into the tree file, so that a rotation which kept the old file's bytes
// would be caught.
func TestRemovedMetadataLeavesEveryFileWithinAMinute(t *testing.T) {
	for _, kind := range []daemonKind{reference, ours} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel() // the two minutes of waiting overlap
			removeAndWaitForNoTrace(t, newWorld(t, kind), kind == ours)
		})
	}
}

// removeAndWaitForNoTrace runs the scenario in w, failing it when a file
// still holds a removed word 65 s after the Remove (the 60 s write-out
// and the write itself).
func removeAndWaitForNoTrace(t *testing.T, w *world, flushFirst bool) {
	w.files("Zq7Secret/a.txt", "kept.txt")
	w.mustGio("set", "~/Zq7Secret/a.txt", "metadata::note", "Xv9private")
	w.mustGio("set", "~/kept.txt", "metadata::note", "Old7value")
	// (The state directory holds what this daemon knows of the files it
	// follows; the reference has none.)
	dirs := []string{filepath.Join(w.s.DataHome, "gvfs-metadata"), filepath.Join(w.s.RuntimeDir, "gvfs-metadata"), filepath.Join(w.s.Home, ".local", "state")}
	holders := dirs
	if flushFirst {
		if err := client.New(w.conn).Flush([]string{w.treefile()}); err != nil {
			t.Fatal(err)
		}
		holders = []string{w.treefile()}
		if len(testenv.FilesHolding(t, removedWords[:1], dirs[2])) == 0 {
			t.Fatal("before the Remove the follower's state does not name the directory: the test would prove nothing of it")
		}
	}
	for _, word := range removedWords {
		if len(testenv.FilesHolding(t, []string{word}, holders...)) == 0 {
			t.Fatalf("before the Remove no file under %v holds %s: the test would prove nothing", holders, word)
		}
	}
	w.mustGio("set", "~/kept.txt", "metadata::note", "kept")
	w.mustGio("remove", "~/Zq7Secret/a.txt")
	w.mustGio("remove", "~/Zq7Secret")
	removed := time.Now()
	found := testenv.FilesHolding(t, removedWords, dirs...)
	for len(found) > 0 && time.Since(removed) < 65*time.Second {
		time.Sleep(time.Second)
		found = testenv.FilesHolding(t, removedWords, dirs...)
	}
	if len(found) > 0 {
		t.Errorf("%v after the Remove: %s", time.Since(removed).Round(time.Second), strings.Join(found, "; "))
	} else {
		t.Logf("no file holds a removed word %v after the Remove", time.Since(removed).Round(time.Second))
	}
	if md := w.info("kept.txt"); md[0]["note"] != "kept" {
		t.Errorf("the file outside lost its metadata: %v", md[0])
	}
}
