package main

import (
	"strings"
	"testing"
)

// FuzzArguments feeds arbitrary byte strings to the checks every call's
// arguments go through: no input may panic, and what they accept must be
// what the store can hold and what the confinement rules allow.
func FuzzArguments(f *testing.F) {
	f.Add([]byte("/home/u/.local/share/gvfs-metadata/home\x00"), []byte("/a/b\x00"))
	f.Add([]byte("relative\x00"), []byte("/a//b"))
	f.Add([]byte("/x/gvfs-metadata/../y\x00"), []byte("\x00\x00"))
	f.Fuzz(func(t *testing.T, treeArg, pathArg []byte) {
		treefile, terr := bytestring("treefile", treeArg)
		path, perr := bytestring("path", pathArg)
		if terr == nil && strings.IndexByte(treefile, 0) >= 0 {
			t.Fatalf("accepted a NUL in %q", treefile)
		}
		if terr == nil && confineTreefile(treefile) {
			if !strings.HasPrefix(treefile, "/") || strings.Contains(treefile, "/../") || strings.Contains(treefile, "//") {
				t.Fatalf("confinement accepted %q", treefile)
			}
		}
		if perr == nil && checkPath("path", path) == nil {
			if !strings.HasPrefix(path, "/") || strings.IndexByte(path, 0) >= 0 || (path != "/" && strings.HasSuffix(path, "/")) {
				t.Fatalf("accepted path %q", path)
			}
		}
		if e := invalidArgs("%s %s", treefile, path); len(e.msg) > 1000 {
			t.Fatalf("message of %d bytes", len(e.msg))
		}
	})
}
