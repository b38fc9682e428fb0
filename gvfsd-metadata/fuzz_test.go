// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/binary"
	"strings"
	"testing"

	"gvfs-metadata/bus"
	"gvfs-metadata/format"
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

// FuzzSetData feeds arbitrary bytes to Set's dictionary decoding: no input
// may panic, and what it accepts is a set of distinct, non-empty keys with
// values of the three kinds the store writes.
func FuzzSetData(f *testing.F) {
	f.Add(dictBytes("k", "v"))
	f.Add(dictBytes("a", []string{"x", "y"}, "b", byte(0)))
	f.Add(dictBytes("bad", int32(1)))
	f.Fuzz(func(t *testing.T, body []byte) {
		entries, err := parseSetData(bus.NewDecoder(binary.LittleEndian, body))
		if err != nil {
			if err.name != errInvalidArgs {
				t.Fatalf("error %s", err.name)
			}
			return
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if e.Key == "" || seen[e.Key] || (e.Op != format.OpSet && e.Op != format.OpSetList && e.Op != format.OpUnset) || e.Path != "" {
				t.Fatalf("accepted %+v", entries)
			}
			seen[e.Key] = true
		}
	})
}
