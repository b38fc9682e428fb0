// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"gvfs-metadata/format"
)

// TestDropsTreeDataKnowsWhatARotationDrops: only changes that remove or
// replace what the old tree holds make a rotation lay the tree out whole.
func TestDropsTreeDataKnowsWhatARotationDrops(t *testing.T) {
	kv := []format.KeyValue{{Key: "k", Value: "v"}}
	root := &format.Node{Name: "/", Children: []*format.Node{
		{Name: "a", Keys: kv},
		{Name: "b", Keys: []format.KeyValue{{Key: "other", Value: "w"}}},
	}}
	old, err := format.ParseTree(format.Build(root, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		change format.Change
		drops  bool
	}{
		{format.Change{Op: format.OpSet, Path: "/c", Key: "k", Value: "new"}, false},
		{format.Change{Op: format.OpSet, Path: "/a", Key: "new-key", Value: "x"}, false},
		{format.Change{Op: format.OpSet, Path: "/b", Key: "k", Value: "x"}, false},
		{format.Change{Op: format.OpSet, Path: "/a", Key: "k", Value: "replaced"}, true},
		{format.Change{Op: format.OpSetList, Path: "/a", Key: "k", List: []string{"x"}}, true},
		{format.Change{Op: format.OpUnset, Path: "/a", Key: "k"}, true},
		{format.Change{Op: format.OpUnset, Path: "/b", Key: "k"}, false},
		{format.Change{Op: format.OpRemove, Path: "/nothing"}, false},
		{format.Change{Op: format.OpRemove, Path: "/b"}, true},
		{format.Change{Op: format.OpCopy, Path: "/b", Source: "/a"}, true},
		{format.Change{Op: format.OpCopy, Path: "/fresh", Source: "/a"}, false},
	} {
		c.change.Mtime = 1_800_000_000
		entry, err := c.change.AppendTo(nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := dropsTreeData(old, entryRuns{entry}); got != c.drops {
			t.Errorf("%+v: drops %v, want %v", c.change, got, c.drops)
		}
	}
}

// TestRemovedNamesAreInNoRotatedTree: a 100,000-entry tree, 1,000 of its
// files removed among new writes, through the rotations the journal's
// filling brings and a flush: the tree file holds none of the removed
// names or values, and every other entry is still there.
func TestRemovedNamesAreInNoRotatedTree(t *testing.T) {
	for _, background := range []bool{false, true} {
		t.Run(fmt.Sprintf("background=%v", background), func(t *testing.T) {
			root := &format.Node{Name: "/"}
			for d := 0; d < 1000; d++ {
				dir := &format.Node{Name: fmt.Sprintf("d%03d", d)}
				for f := 0; f < 100; f++ {
					name, value := fmt.Sprintf("f%03d", f), "kept"
					if f == 7 {
						name, value = fmt.Sprintf("gone%03d-Qx", d), fmt.Sprintf("val%03d-Zv", d)
					}
					dir.Children = append(dir.Children, &format.Node{Name: name, LastChanged: 1_800_000_000, Keys: []format.KeyValue{{Key: "note", Value: value}}})
				}
				root.Children = append(root.Children, dir)
			}
			path := t.TempDir() + "/gvfs-metadata/home"
			s, err := Create(path, root, Options{Background: background})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for d := 0; d < 1000; d++ {
				if err := s.Remove(fmt.Sprintf("/d%03d/gone%03d-Qx", d, d)); err != nil {
					t.Fatal(err)
				}
				if err := s.Set(fmt.Sprintf("/d%03d/added", d), "note", "new"); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{"-Qx", "-Zv"} {
				if i := bytes.Index(b, []byte(w)); i >= 0 {
					t.Errorf("the tree file holds %q at offset %d after the removes", w, i)
				}
			}
			for _, p := range []string{"/d000/f000", "/d999/f099", "/d500/added"} {
				if _, ok := mustGet(t, s, p, "note"); !ok {
					t.Errorf("%s lost its key", p)
				}
			}
		})
	}
}
