// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gvfs-metadata/format"
)

// FuzzRotation rewrites arbitrary tree bytes with a journal of every kind
// of entry, both ways a rotation can (a patch, a layout): whatever the old
// tree holds (it is a file on disk, which anyone may have changed), nothing
// may panic or loop, and a patch that is made must be a tree readers open.
func FuzzRotation(f *testing.F) {
	for seed := range 4 {
		rng := rand.New(rand.NewPCG(uint64(seed), 3))
		root, paths := randomTree(rng)
		f.Add(format.Build(root, 1), uint64(seed), fmt.Sprint(paths[:min(3, len(paths))]))
	}
	f.Add(format.Build(&format.Node{}, 1), uint64(9), "/a")
	f.Fuzz(func(t *testing.T, tree []byte, seed uint64, extra string) {
		old, err := format.ParseTree(tree)
		if err != nil {
			return
		}
		rng := rand.New(rand.NewPCG(seed, 5))
		paths := []string{"/", "/a", "/a/b", "/" + extra, "/dir0/f00", "/d0", "/d1/f01/deep"}
		entries := randomChanges(rng, 1+rng.IntN(30), paths)
		if p, err := patchTree(old, entryRuns{entries}, 7); err == nil {
			if _, err := format.ParseTree(p.Apply()); err != nil {
				t.Fatalf("a patch of a tree that parses does not parse: %v", err)
			}
		}
		r := &rotationSnapshot{old: &treeFile{t: old}, tag: 8, entries: entryRuns{entries}}
		r.newTree(nil)
	})
}
