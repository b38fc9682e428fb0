// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestWritesAfterTheFilesWentAwayAreKept: whatever is removed or replaced
// under a running writer, a write it answers afterwards is what a reader
// opening the files by name finds; one it cannot keep is refused.
func TestWritesAfterTheFilesWentAwayAreKept(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func(t *testing.T, w *Store)
		// refused: the write must fail (nothing a reader finds could hold it)
		refused bool
		// kept: earlier writes still read back afterwards
		kept bool
	}{
		{"directory removed", func(t *testing.T, w *Store) { os.RemoveAll(filepath.Dir(w.Path())) }, false, true},
		{"journal removed", func(t *testing.T, w *Store) { os.Remove(w.journal.path) }, false, true},
		{"tree removed", func(t *testing.T, w *Store) { os.Remove(w.Path()) }, false, true},
		{"tree replaced by a directory", func(t *testing.T, w *Store) {
			os.Remove(w.Path())
			os.Mkdir(w.Path(), 0o700)
		}, true, false},
		{"tree replaced by a symlink", func(t *testing.T, w *Store) {
			os.Remove(w.Path())
			os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), w.Path())
		}, false, true},
		{"tree replaced by another tree", func(t *testing.T, w *Store) {
			other := filepath.Join(t.TempDir(), "gvfs-metadata", "other")
			o, err := Open(other, Options{})
			if err != nil {
				t.Fatal(err)
			}
			o.Set("/other", "k", "theirs")
			o.Flush()
			o.Close()
			if err := os.Rename(other, w.Path()); err != nil {
				t.Fatal(err)
			}
		}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
			w, err := Open(path, Options{Background: true, FS: OS{NoFollow: true}})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if err := w.Set("/before", "k", "old"); err != nil {
				t.Fatal(err)
			}
			c.damage(t, w)
			var answered []int
			for i := range 50 {
				if err := w.Set(fmt.Sprintf("/after%d", i), "k", "new"); err == nil {
					answered = append(answered, i)
				} else if !c.refused {
					t.Fatalf("write %d: %v", i, err)
				}
			}
			if c.refused {
				if len(answered) > 0 {
					t.Fatalf("%d writes answered with no tree a reader could open", len(answered))
				}
				return
			}
			if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
				t.Fatalf("the tree's name leads to %v (%v)", st, err)
			}
			r, err := Open(path, Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for _, i := range answered {
				if v, ok := mustGet(t, r, fmt.Sprintf("/after%d", i), "k"); !ok || v.Value != "new" {
					t.Fatalf("write %d was answered but a reader finds %q (%v)", i, v.Value, ok)
				}
			}
			if v, ok := mustGet(t, r, "/before", "k"); c.kept && (!ok || v.Value != "old") {
				t.Errorf("the write before lost: %q (%v)", v.Value, ok)
			}
		})
	}
}

// TestAFlushAfterTheDirectoryWentAwayWritesItAgain: the daemon's flush at
// exit may be the first thing that runs after the data directory was
// removed; it writes the tree again, with what was answered before.
func TestAFlushAfterTheDirectoryWentAwayWritesItAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	w, err := Open(path, Options{Background: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Set("/kept", "k", "v"); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Dir(path))
	if err := w.Compact(); err != nil {
		t.Fatalf("flush after the directory went away: %v", err)
	}
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if v, ok := mustGet(t, r, "/kept", "k"); !ok || v.Value != "v" {
		t.Fatalf("/kept reads %q (%v) from the tree written again", v.Value, ok)
	}
}
