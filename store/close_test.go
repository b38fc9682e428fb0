// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// A Flush or a write that comes after Close (a flush timer firing as the
// daemon exits) must fail without touching the files: there is no tree
// left to rotate from, and a rotation would replace the tree on disk with
// an empty one.
func TestCallsAfterCloseFailAndLeaveTheFilesAlone(t *testing.T) {
	for _, bg := range []bool{false, true} {
		t.Run(fmt.Sprintf("background=%v", bg), func(t *testing.T) {
			s, path := openTemp(t, Options{Background: bg})
			if err := s.Set("/merged", "k", "in the tree"); err != nil {
				t.Fatal(err)
			}
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := s.Set("/journalled", "k", "in the journal"); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			before := dirNames(t, filepath.Dir(path))

			if err := s.Flush(); !errors.Is(err, ErrClosed) {
				t.Errorf("Flush after Close: %v, want ErrClosed", err)
			}
			if err := s.Set("/late", "k", "v"); !errors.Is(err, ErrClosed) {
				t.Errorf("Set after Close: %v, want ErrClosed", err)
			}
			if after := dirNames(t, filepath.Dir(path)); !slices.Equal(after, before) {
				t.Errorf("files after Close %v, then %v", before, after)
			}
			r, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for p, want := range map[string]string{"/merged": "in the tree", "/journalled": "in the journal"} {
				if v, ok := mustGet(t, r, p, "k"); !ok || v.Value != want {
					t.Errorf("%s after reopening: %q %v, want %q", p, v.Value, ok, want)
				}
			}
		})
	}
}

// The daemon's flush timer can fire while the daemon flushes and closes
// its trees on the way out: whichever way the two interleave, nothing
// written is lost.
func TestFlushRacingCloseLosesNothing(t *testing.T) {
	for i := range 200 {
		path := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
		s, err := Open(path, Options{Background: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Set("/a", "k", "v"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Flush(); err != nil && !errors.Is(err, ErrClosed) {
				t.Errorf("round %d: the timer's Flush: %v", i, err)
			}
		}()
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		s.Close()
		wg.Wait()
		r, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		v, ok := mustGet(t, r, "/a", "k")
		r.Close()
		if !ok || v.Value != "v" {
			t.Fatalf("round %d: /a after reopening: %q %v, want \"v\"", i, v.Value, ok)
		}
	}
}

// TestCloseLeavesNothingOpen: whether Open found the tree or created it,
// and after rotations, Close leaves no descriptor or mapping of the tree
// or its journals in the process (a daemon closes idle trees, and would
// otherwise hold them all the same).
func TestCloseLeavesNothingOpen(t *testing.T) {
	held := func(dir string) (n int) {
		fds, _ := os.ReadDir("/proc/self/fd")
		for _, fd := range fds {
			if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(target, dir) {
				n++
			}
		}
		maps, err := os.ReadFile("/proc/self/maps")
		if err != nil {
			t.Fatal(err)
		}
		return n + strings.Count(string(maps), dir)
	}
	path := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	dir := filepath.Dir(path)
	for _, step := range []string{"created", "reopened", "rotated"} {
		s, err := Open(path, Options{Background: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Set("/f", "k", step); err != nil {
			t.Fatal(err)
		}
		if step == "rotated" {
			for range 3 {
				if err := s.Flush(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if held(dir) == 0 {
			t.Fatalf("%s: the open store shows no file of %s; the check is broken", step, dir)
		}
		s.Close()
		if n := held(dir); n != 0 {
			t.Errorf("%s, then closed: %d descriptors and mappings of the tree's files left", step, n)
		}
	}
}
