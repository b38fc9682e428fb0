// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"gvfs-metadata/format"
)

// TestPowerLossDuringRotationKeepsOldOrNew records every file operation of
// writes and a rotation, then rebuilds the disk as power loss may leave it
// after each prefix of them, several ways each, and opens it: the tree
// must open, every key must hold its value from before the rotation's
// writes or after them, and the store must take new writes.
func TestPowerLossDuringRotationKeepsOldOrNew(t *testing.T) {
	for _, bg := range []bool{false, true} {
		t.Run(fmt.Sprintf("background=%v", bg), func(t *testing.T) {
			powerLossRun(t, bg)
		})
	}
}

const powerLossPath = "/home/u/.local/share/gvfs-metadata/home"

func powerLossKey(i int) string { return fmt.Sprintf("/dir%d/file%d", i%4, i) }

// powerLossDisk is a disk whose tree holds keys keys set to "old", written
// out and durable: the state every replayed image starts from.
func powerLossDisk(t *testing.T, keys int) *memFS {
	t.Helper()
	mfs := newMemFS()
	s, err := Open(powerLossPath, Options{FS: mfs})
	if err != nil {
		t.Fatal(err)
	}
	for i := range keys {
		if err := s.Set(powerLossKey(i), "k", "old"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	return mfs.checkpoint()
}

func powerLossRun(t *testing.T, background bool) {
	const path = powerLossPath
	const keys = 60
	keyPath := powerLossKey
	disk := powerLossDisk(t, keys)
	start := len(disk.log)
	s, err := Open(path, Options{FS: disk, Background: background})
	if err != nil {
		t.Fatal(err)
	}
	// Enough writes to fill the journal, so that a rotation happens in the
	// middle of them (in the background variant, with writes carried over).
	for i := range keys {
		if err := s.Set(keyPath(i), "k", fmt.Sprintf("new-%d-%s", i, strings.Repeat("x", 400))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if len(disk.log)-start < 20 {
		t.Fatalf("only %d operations recorded", len(disk.log)-start)
	}

	replayCrashes(t, disk, start, path, 1, func(n int, img *memFS, st *Store) {
		for i := range keys {
			v, ok, err := st.Get(keyPath(i), "k")
			want := fmt.Sprintf("new-%d-%s", i, strings.Repeat("x", 400))
			if err != nil || !ok || (v.Value != "old" && v.Value != want) {
				t.Fatalf("after op %d: key %d = %.20q %v %v, want old or new", n, i, v.Value, ok, err)
			}
		}
		if err := st.Set("/after-crash", "k", "v"); err != nil {
			t.Fatalf("after op %d: write after recovery: %v", n, err)
		}
		if err := st.Flush(); err != nil {
			t.Fatalf("after op %d: flush after recovery: %v", n, err)
		}
		if v, ok, _ := st.Get("/after-crash", "k"); !ok || v.Value != "v" {
			t.Fatalf("after op %d: write after recovery lost", n)
		}
	})
}

// TestPowerLossDuringAForgetKeepsOldOrNew: a directory's metadata is
// removed (gvfs-meta forget, a deleted folder) among writes, and the
// flush lays the tree out whole to drop its bytes; after every prefix of
// the operations, as power loss may leave the disk, the tree opens and
// passes every structural check, every key holds its old or new value,
// and the forgotten directory's keys their old value or none.
func TestPowerLossDuringAForgetKeepsOldOrNew(t *testing.T) {
	const path = powerLossPath
	const keys = 40
	keyPath := powerLossKey
	forgotten := func(i int) bool { return i%4 == 1 }
	disk := powerLossDisk(t, keys)
	start := len(disk.log)
	s, err := Open(path, Options{FS: disk})
	if err != nil {
		t.Fatal(err)
	}
	newValue := func(i int) string { return fmt.Sprintf("new-%d-%s", i, strings.Repeat("x", 900)) }
	for i := range keys {
		if i == keys/2 {
			if err := s.Remove("/dir1"); err != nil {
				t.Fatal(err)
			}
		}
		if !forgotten(i) {
			if err := s.Set(keyPath(i), "k", newValue(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	s.Close()

	replayCrashes(t, disk, start, path, 5, func(n int, img *memFS, st *Store) {
		if problems := format.CheckTree(treeBytes(t, img, path)); len(problems) > 0 {
			t.Fatalf("after op %d: the tree does not verify: %v", n, problems)
		}
		for i := range keys {
			v, ok, err := st.Get(keyPath(i), "k")
			okValue := ok && (v.Value == "old" || v.Value == newValue(i)) || forgotten(i) && !ok
			if err != nil || !okValue || forgotten(i) && v.Value == newValue(i) {
				t.Fatalf("after op %d: key %d = %.20q %v %v, want old or new", n, i, v.Value, ok, err)
			}
		}
	})
}

// replayCrashes cuts the power after each operation the disk logged from
// start on, four times each with a different choice of which unsynced
// writes survive (seeded by seed), opens the store on each image and
// hands it to check, then closes it.
func replayCrashes(t *testing.T, disk *memFS, start int, path string, seed uint64, check func(n int, img *memFS, st *Store)) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed+1))
	images := 0
	for n := start; n <= len(disk.log); n++ {
		for range 4 {
			img := disk.crashImage(n, rng)
			images++
			st, err := Open(path, Options{FS: img})
			if err != nil {
				t.Fatalf("after op %d: store does not open: %v", n, err)
			}
			check(n, img, st)
			st.Close()
		}
	}
	t.Logf("%d operations, %d crash images checked", len(disk.log)-start, images)
}

// treeBytes reads a tree file through an FS.
func treeBytes(t *testing.T, fsys FS, path string) []byte {
	t.Helper()
	f, err := fsys.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []byte
	buf := make([]byte, 64<<10)
	for off := int64(0); ; {
		n, err := f.ReadAt(buf, off)
		out = append(out, buf[:n]...)
		off += int64(n)
		if err != nil {
			return out
		}
	}
}
