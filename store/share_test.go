// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"fmt"
	"path/filepath"
	"strings"
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
					if v, ok := mustGet(t, r, fmt.Sprintf("/w%d/f%04d", i, n), "k"); !ok || v.Value != fmt.Sprint(n) {
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

// TestCarriedEntriesAreAppliedOnce: on NFS, entries another machine's
// rotation left out are carried into the next rotation here; a write
// during that rotation must not append them again, or a Move among them
// runs twice and the second, finding its source gone, clears its target.
func TestCarriedEntriesAreAppliedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	ffs := &faultFS{FS: OS{ForceNFS: true}}
	a, err := Open(path, Options{Background: true, FS: ffs, RuntimeDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(path, Options{Background: true, FS: OS{ForceNFS: true}, RuntimeDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.Set("/src", "k", "moved"); err != nil {
		t.Fatal(err)
	}
	if err := a.Move("/src", "/dst"); err != nil {
		t.Fatal(err)
	}
	// The other machine rotates without a's journal.
	if err := b.Set("/theirs", "k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	// a's flush carries its entries into a rotation, held while a writes.
	hold, held := make(chan struct{}), make(chan struct{})
	var once sync.Once
	ffs.beforeSync = func(name string) {
		if strings.HasPrefix(name, path+".") {
			once.Do(func() { close(held); <-hold })
		}
	}
	flushed := make(chan error, 1)
	go func() { flushed <- a.Flush() }()
	<-held
	if err := a.Set("/during", "k", "v"); err != nil {
		t.Fatal(err)
	}
	close(hold)
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for p, want := range map[string]string{"/dst": "moved", "/theirs": "v", "/during": "v"} {
		if v, ok := mustGet(t, r, p, "k"); !ok || v.Value != want {
			t.Errorf("%s reads %q (%v), want %q", p, v.Value, ok, want)
		}
	}
}
