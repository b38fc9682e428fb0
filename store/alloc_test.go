// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
)

// A Set costs the same allocations whatever the size of the tree behind
// it: the write path never walks or copies the tree (rotations, which do,
// run elsewhere and are kept out of this count by a journal that does not
// fill).
func TestSetAllocationsDoNotGrowWithTheTree(t *testing.T) {
	sizes := []int{100, 100_000}
	allocs := make([]float64, len(sizes))
	for i, n := range sizes {
		s, err := Create(filepath.Join(t.TempDir(), "gvfs-metadata", "home"), benchTree(n), Options{Background: true, JournalSize: 4 << 20})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := s.Stats()
		// The paths are made beforehand: formatting them allocates more
		// for larger numbers, which is the test's cost, not the Set's.
		const runs = 2000
		paths := make([]string, runs+1)
		for j := range paths {
			paths[j] = fmt.Sprintf("/dir%05d/file%07d.jpg", j%(n/100), j)
		}
		runtime.GC()
		j := 0
		allocs[i] = testing.AllocsPerRun(runs, func() {
			if err := s.Set(paths[j], "nautilus-icon-position", "112,208"); err != nil {
				t.Fatal(err)
			}
			j++
		})
		if st, _ := s.Stats(); st.Rotations != before.Rotations {
			t.Fatalf("%d rotations ran during the count; the journal was meant not to fill", st.Rotations-before.Rotations)
		}
		s.Close()
	}
	if allocs[1] > allocs[0] {
		t.Errorf("a Set allocates %.0f times on a %d-entry tree but %.0f times on a %d-entry one", allocs[1], sizes[1], allocs[0], sizes[0])
	}
	t.Logf("allocations per Set: %v at tree sizes %v", allocs, sizes)
}
