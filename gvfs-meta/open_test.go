// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadCommandsRefuseATreeThatIsNotThere: a tree named on the command
// line that does not exist, or is a directory, is an error naming it,
// never an empty listing or an empty backup with exit status 0.
func TestReadCommandsRefuseATreeThatIsNotThere(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "gvfs-metadata", "hmoe") // a typo
	notAFile := filepath.Join(dir, "gvfs-metadata", "dir")
	if err := os.MkdirAll(notAFile, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tree := range []string{missing, notAFile} {
		for _, args := range [][]string{
			{"dump", tree},
			{"dump", "--json", tree},
			{"ls", tree},
			{"ls", "-l", tree, "/"},
			{"export", tree},
			{"stats", tree},
			{"stats", "--json", tree},
		} {
			code, out, errOut := runTool(args...)
			if code != exitProblems || out != "" || !strings.Contains(errOut, tree) {
				t.Errorf("gvfs-meta %s: exit %d, stdout %q, stderr %q; want exit 1 naming the tree and nothing on stdout",
					strings.Join(args, " "), code, out, errOut)
			}
		}
	}
	// A tree that is there, and empty, is no error.
	code, out, _ := runTool("dump", "--json", "../testdata/never-rotated/home")
	if code != exitOK || out == "" {
		t.Errorf("dump of a real tree: exit %d, %q", code, out)
	}
}
