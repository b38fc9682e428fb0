// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestTwoWritersOfOneTreeLoseNothing: two stores writing one tree, as two
// sessions' daemons do, each rotating in the background while the other
// appends, sharing the journal (a local disk) or each with its own in its
// runtime directory (the NFS ways). Every write either answered is in the
// tree once both have flushed.
func TestTwoWritersOfOneTreeLoseNothing(t *testing.T) {
	for _, nfs := range []bool{false, true} {
		t.Run(fmt.Sprintf("nfs=%v", nfs), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
			var writers [2]*Store
			for i := range writers {
				w, err := Open(path, Options{Background: true, FS: OS{ForceNFS: nfs}, RuntimeDir: t.TempDir()})
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
				writers[i] = w
			}
			const writes = 4000
			var wg sync.WaitGroup
			for i, w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for n := range writes {
						if err := w.Set(fmt.Sprintf("/w%d/f%04d", i, n), "k", fmt.Sprint(n)); err != nil {
							t.Errorf("writer %d, write %d: %v", i, n, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			for _, w := range writers {
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
			}
			r, err := Open(path, Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			lost := 0
			for i := range writers {
				for n := range writes {
					if v, ok := mustGet(t, r, fmt.Sprintf("/w%d/f%04d", i, n), "k"); !ok || v.Str != fmt.Sprint(n) {
						lost++
					}
				}
			}
			if lost > 0 {
				t.Fatalf("%d of %d answered writes lost", lost, 2*writes)
			}
		})
	}
}
