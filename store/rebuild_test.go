// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gvfs-metadata/format"
)

// slowRebuild is the reference for rebuild: decode everything, replay the
// entries on nodes, build.
func slowRebuild(t *testing.T, old *format.Tree, entries []byte, tag uint32) []byte {
	t.Helper()
	root, damage := loadTree(old)
	if damage.Count != 0 {
		t.Fatalf("damage: %+v", damage)
	}
	for off := 0; off < len(entries); {
		e, err := format.DecodeEntry(entries, uint32(off))
		if err != nil {
			t.Fatal(err)
		}
		c := e.Change()
		replayOnNodes(root, &c)
		off += int(e.Size)
	}
	return format.Build(root, tag)
}

// randomChanges makes journal entries of every kind over a small space of
// paths, so that they hit the same directories, copy over each other and
// remove what others set.
func randomChanges(rng *rand.Rand, n int, paths []string) []byte {
	var buf []byte
	pick := func() string {
		if rng.IntN(10) == 0 {
			return fmt.Sprintf("/new%d/n%d", rng.IntN(3), rng.IntN(5))
		}
		return paths[rng.IntN(len(paths))]
	}
	for i := range n {
		mtime := uint64(1800000000 + rng.IntN(1000))
		if rng.IntN(50) == 0 {
			mtime = uint64(1000 + rng.IntN(1000)) // an old clock moves the base
		}
		c := format.Change{Mtime: mtime, Path: pick()}
		switch op := rng.IntN(100); {
		case op < 45:
			c.Op, c.Key, c.Value = format.OpSet, fmt.Sprintf("k%d", rng.IntN(4)), fmt.Sprintf("v%d", i)
		case op < 60:
			c.Op, c.Key = format.OpSetList, fmt.Sprintf("l%d", rng.IntN(2))
			for range rng.IntN(4) {
				c.List = append(c.List, fmt.Sprintf("i%d", rng.IntN(6)))
			}
		case op < 70:
			c.Op, c.Key = format.OpUnset, fmt.Sprintf("k%d", rng.IntN(4))
		case op < 85:
			c.Op, c.Source = format.OpCopy, pick()
		default:
			c.Op = format.OpRemove
			if rng.IntN(40) == 0 {
				c.Path = "/"
			}
		}
		buf, _ = c.AppendTo(buf)
	}
	return buf
}

// randomTree builds a tree of dirs and files with keys of every kind.
func randomTree(rng *rand.Rand) (*format.Node, []string) {
	root := &format.Node{Keys: []format.KeyValue{{Key: "rk", Value: "root"}}, LastChanged: 1700000000}
	var paths []string
	for d := range 1 + rng.IntN(6) {
		dir := &format.Node{Name: fmt.Sprintf("d%d", d), LastChanged: int64(1700000000 + rng.IntN(1000))}
		paths = append(paths, "/"+dir.Name)
		for f := range rng.IntN(12) {
			n := &format.Node{Name: fmt.Sprintf("f%02d", f), LastChanged: int64(1700000000 + rng.IntN(1000))}
			if rng.IntN(3) > 0 {
				n.Keys = append(n.Keys, format.KeyValue{Key: fmt.Sprintf("k%d", rng.IntN(4)), Value: fmt.Sprintf("val%d", rng.IntN(5))})
			}
			if rng.IntN(3) == 0 {
				n.Keys = append(n.Keys, format.KeyValue{Key: "l0", IsList: true, List: []string{"a", fmt.Sprint(rng.IntN(3))}})
			}
			if rng.IntN(4) == 0 {
				n.Children = append(n.Children, &format.Node{Name: "deep", Keys: []format.KeyValue{{Key: "k1", Value: "deep"}}})
				paths = append(paths, "/"+dir.Name+"/"+n.Name+"/deep")
			}
			dir.Children = append(dir.Children, n)
			paths = append(paths, "/"+dir.Name+"/"+n.Name)
		}
		root.Children = append(root.Children, dir)
	}
	root.Sort()
	for _, n := range root.Children {
		dedupeKeys(n)
	}
	return root, paths
}

func dedupeKeys(n *format.Node) {
	restoreOrder(n)
	for _, c := range n.Children {
		dedupeKeys(c)
	}
}

// TestCopyingRotationWritesTheSameBytesAsAFullRebuild: on trees our
// builder wrote, copying untouched blocks must give exactly the file that
// decoding and rebuilding everything gives, whatever the journal did.
func TestCopyingRotationWritesTheSameBytesAsAFullRebuild(t *testing.T) {
	for seed := range 400 {
		rng := rand.New(rand.NewPCG(uint64(seed), 99))
		root, paths := randomTree(rng)
		old, err := format.ParseTree(format.Build(root, 5))
		if err != nil {
			t.Fatal(err)
		}
		// Two runs, as a rotation holds them: the journal's entries and
		// those of a write that did not fit.
		journal := randomChanges(rng, rng.IntN(40), paths)
		write := randomChanges(rng, rng.IntN(3), paths)
		want := slowRebuild(t, old, append(bytes.Clone(journal), write...), 6)
		got, err := rebuild(old, entryRuns{journal, write}, 6)
		if err != nil {
			t.Fatalf("seed %d: rebuild refused a tree our builder wrote: %v", seed, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("seed %d: %d bytes, full rebuild %d; first difference at %d", seed, len(got), len(want), firstDiff(got, want))
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestCopyingRotationOfReferenceTreesKeepsLayoutAndContent: on trees the
// reference wrote (strings in GLib's hash order), the copying rotation
// must give the same layout and content as the full rebuild.
func TestCopyingRotationOfReferenceTreesKeepsLayoutAndContent(t *testing.T) {
	for _, dir := range referenceCases(t) {
		m := readManifest(t, dir)
		data, err := os.ReadFile(filepath.Join(dir, m.Tree))
		if err != nil {
			t.Fatal(err)
		}
		old, err := format.ParseTree(data)
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, e := range m.Entries {
			paths = append(paths, e.rawPath(t))
		}
		if len(paths) == 0 {
			paths = []string{"/x"}
		}
		rng := rand.New(rand.NewPCG(7, uint64(len(dir))))
		for round := range 5 {
			entries := randomChanges(rng, 10*round, paths)
			want := slowRebuild(t, old, entries, 9)
			got, err := rebuild(old, entryRuns{entries}, 9)
			if err != nil {
				t.Fatalf("%s: %v", dir, err)
			}
			if len(got) != len(want) {
				t.Fatalf("%s round %d: %d bytes, full rebuild %d", dir, round, len(got), len(want))
			}
			gt, _ := format.ParseTree(got)
			wt, _ := format.ParseTree(want)
			compareLayout(t, filepath.Base(dir), "/", wt.Root(), gt.Root())
			gn, _ := loadTree(gt)
			wn, _ := loadTree(wt)
			if a, b := nodeString(gn), nodeString(wn); a != b {
				t.Fatalf("%s round %d: content differs", dir, round)
			}
		}
	}
}

func nodeString(n *format.Node) string {
	var b strings.Builder
	var walk func(n *format.Node, p string)
	walk = func(n *format.Node, p string) {
		fmt.Fprintf(&b, "%s %d %v\n", p, n.LastChanged, n.Keys)
		for _, c := range n.Children {
			walk(c, p+"/"+c.Name)
		}
	}
	walk(n, "")
	return b.String()
}

// TestCopyingRotationRefusesDamagedTrees: damage inside the old tree makes
// the copying rotation step aside, so the full rebuild (which skips and
// reports damage) handles it.
func TestCopyingRotationRefusesDamagedTrees(t *testing.T) {
	root, _ := randomTree(rand.New(rand.NewPCG(1, 1)))
	data := format.Build(root, 5)
	tr, _ := format.ParseTree(data)
	dir, _ := tr.Root().Children()
	// A child's name pointing outside its children block's string block.
	be.PutUint32(data[dir.Child(0).Offset():], uint32(len(data)-2))
	old, err := format.ParseTree(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rebuild(old, nil, 6); err == nil {
		t.Fatal("rebuild copied a damaged children block")
	}
}
