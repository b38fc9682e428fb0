// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"gvfs-metadata/format"
)

// contentOf is what readers see in a tree file: every entry, its time and
// its keys.
func contentOf(t *testing.T, data []byte) *format.Node {
	t.Helper()
	tree, err := format.ParseTree(data)
	if err != nil {
		t.Fatal(err)
	}
	if problems := format.CheckTree(data); len(problems) > 0 {
		t.Fatalf("tree has problems: %v", problems)
	}
	root, damage := loadTree(tree)
	if damage.Count != 0 {
		t.Fatalf("damage: %+v", damage)
	}
	return root
}

// TestPatchedTreeReadsLikeARewrittenOne: on random trees and journals of
// every kind of entry, a patch of the old tree must hold exactly what a
// full rewrite holds, pass every structural check, and stay so when
// patched again and when rewritten from the patched file.
func TestPatchedTreeReadsLikeARewrittenOne(t *testing.T) {
	patched, refused := 0, 0
	for seed := range 400 {
		rng := rand.New(rand.NewPCG(uint64(seed), 11))
		root, paths := randomTree(rng)
		data := format.Build(root, 1)
		for round := range 3 {
			old, err := format.ParseTree(data)
			if err != nil {
				t.Fatal(err)
			}
			entries := randomChanges(rng, 1+rng.IntN(40), paths)
			want := slowRebuild(t, old, entries, 2)
			p, err := patchTree(old, entryRuns{entries}, 2)
			if errors.Is(err, format.ErrNotPatchable) {
				refused++
				data = want
				continue
			}
			if err != nil {
				t.Fatalf("seed %d round %d: %v", seed, round, err)
			}
			patched++
			got := p.Apply()
			if g, w := contentOf(t, got), contentOf(t, want); !reflect.DeepEqual(g, w) {
				t.Fatalf("seed %d round %d: the patched tree differs from the rewritten one:\n%s\nwant\n%s", seed, round, dumpNode(g), dumpNode(w))
			}
			if p.Size() != len(got) || p.Appended() != len(got)-len(data) {
				t.Fatalf("seed %d: patch says %d bytes (%d appended), wrote %d", seed, p.Size(), p.Appended(), len(got))
			}
			// What a full rewrite makes of the patched file is what it
			// makes of the original.
			again, err := format.ParseTree(got)
			if err != nil {
				t.Fatal(err)
			}
			r := &rotationSnapshot{old: &treeFile{t: again}, tag: 3}
			full, err := r.newTree(nil)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := contentOf(t, full), contentOf(t, want); !reflect.DeepEqual(g, w) {
				t.Fatalf("seed %d round %d: rewriting the patched tree changed it", seed, round)
			}
			data = got // the next round patches the patch
		}
	}
	if patched < 300 || refused == 0 {
		t.Fatalf("%d patches made, %d refused: the test means to cover both", patched, refused)
	}
	t.Logf("%d patches compared, %d journals needed a full rewrite", patched, refused)
}

func dumpNode(n *format.Node) string {
	var out string
	var rec func(n *format.Node, path string)
	rec = func(n *format.Node, path string) {
		out += fmt.Sprintf("%s t=%d %v\n", path, n.LastChanged, n.Keys)
		for _, c := range n.Children {
			rec(c, path+"/"+c.Name)
		}
	}
	rec(n, "")
	return out
}

// TestAPatchRewritesOnlyWhatChanged: a Set in a directory of a big tree
// appends that directory's children block and the new entry's blocks, and
// nothing in proportion to the tree.
func TestAPatchRewritesOnlyWhatChanged(t *testing.T) {
	old, err := format.ParseTree(format.Build(benchTree(10_000), 1))
	if err != nil {
		t.Fatal(err)
	}
	var entries []byte
	c := format.Change{Op: format.OpSet, Mtime: 1800000000, Path: "/dir00042/new.jpg", Key: "nautilus-icon-position", Value: "1,2"}
	entries, _ = c.AppendTo(entries)
	p, err := patchTree(old, entryRuns{entries}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// 101 entries of 16 bytes, their count, the new name, metadata and
	// an empty children block.
	if p.Appended() > 2048 {
		t.Fatalf("a patch adding one file appends %d bytes to a %d-byte tree", p.Appended(), len(old.Bytes()))
	}
	got := contentOf(t, p.Apply())
	want := contentOf(t, slowRebuild(t, old, entries, 2))
	if !reflect.DeepEqual(got, want) {
		t.Fatal("patched tree differs from the rewritten one")
	}
}

// TestAPatchNeverSharesAChildrenBlock: a copy without a time (a journal
// entry with mtime 0, as a foreign writer may leave) keeps the copied
// entries' times, yet the copy's children blocks are its own: readers
// and checks want every block reached once.
func TestAPatchNeverSharesAChildrenBlock(t *testing.T) {
	root := &format.Node{Children: []*format.Node{{Name: "a", LastChanged: 1700000000, Children: []*format.Node{
		{Name: "b", LastChanged: 1700000001, Keys: []format.KeyValue{{Key: "k", Value: "v"}}, Children: []*format.Node{{Name: "c", LastChanged: 1700000002}}},
	}}}}
	old, err := format.ParseTree(format.Build(root, 1))
	if err != nil {
		t.Fatal(err)
	}
	c := format.Change{Op: format.OpCopy, Path: "/z", Source: "/a"}
	entries, _ := c.AppendTo(nil)
	p, err := patchTree(old, entryRuns{entries}, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, want := contentOf(t, p.Apply()), contentOf(t, slowRebuild(t, old, entries, 2))
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("patched tree:\n%s\nwant\n%s", dumpNode(got), dumpNode(want))
	}
}
