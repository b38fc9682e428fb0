// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"testing"
	"time"

	"gvfs-metadata/internal/session"
)

// TestLiveHandOverBothWays starts with the reference daemon holding data in
// its journal, replaces it with ours (--replace), checks that gio sees
// everything and can write, then lets the reference take the name back and
// checks that it sees everything ours wrote.
func TestLiveHandOverBothWays(t *testing.T) {
	w := newWorld(t, reference)
	var files []string
	for i := range 30 {
		files = append(files, fmt.Sprintf("dir%d/file %d.txt", i%3, i))
	}
	w.files(files...)
	for i, f := range files {
		w.mustGio("set", "~/"+f, "metadata::by", fmt.Sprintf("reference-%d", i))
	}
	w.mustGio("move", "~/dir2", "~/moved2")
	refPID := w.daemonPID()

	ourCmd := w.start(ourDaemon, "--replace")
	if err := session.WaitExit(refPID, 10*time.Second); err != nil {
		t.Fatalf("reference did not leave: %v", err)
	}
	check := func(stage string, want func(i int) string) {
		t.Helper()
		rels := make([]string, len(files))
		for i, f := range files {
			rels[i] = f
			if f[:4] == "dir2" {
				rels[i] = "moved2" + f[4:]
			}
		}
		w.files(rels...)
		info := w.info(rels...)
		for i := range files {
			if got := info[i]["by"]; got != want(i) {
				t.Errorf("%s: %s by=%q, want %q", stage, rels[i], got, want(i))
			}
		}
	}
	check("after ours replaced the reference", func(i int) string { return fmt.Sprintf("reference-%d", i) })
	for i, f := range files {
		if i%2 == 0 {
			if f[:4] == "dir2" {
				f = "moved2" + f[4:]
			}
			w.mustGio("set", "~/"+f, "metadata::by", fmt.Sprintf("ours-%d", i))
		}
	}
	afterOurs := func(i int) string {
		if i%2 == 0 {
			return fmt.Sprintf("ours-%d", i)
		}
		return fmt.Sprintf("reference-%d", i)
	}
	check("written by ours", afterOurs)

	refCmd := w.start(session.ReferenceDaemon, "--replace")
	if code := exitCode(t, ourCmd, 10*time.Second); code != 0 {
		t.Fatalf("ours exited with %d on losing the name", code)
	}
	check("after the reference took the name back", afterOurs)
	w.mustGio("set", "~/"+files[1], "metadata::by", "reference-again")
	info := w.info(files[1])
	if info[0]["by"] != "reference-again" {
		t.Fatalf("the reference cannot write after taking over: %v", info)
	}
	refCmd.Process.Kill()
}
