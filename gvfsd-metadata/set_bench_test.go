// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gvfs-metadata/bus"
)

// BenchmarkSet is the daemon's own work for one Set of a new path (what
// a Set costs beyond reading it off the bus and answering it): argument
// checks, the journal append and the signal bookkeeping; with following
// on, also the note to the follower (whose own work, watching the new
// directories and reading the files' identities, runs beside it).
func BenchmarkSet(b *testing.B) {
	for _, follow := range []bool{false, true} {
		b.Run(fmt.Sprintf("follow=%v", follow), func(b *testing.B) { benchmarkSet(b, follow) })
	}
}

func benchmarkSet(b *testing.B, follow bool) {
	home := b.TempDir()
	b.Setenv("HOME", home)
	b.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	b.Setenv("XDG_STATE_HOME", filepath.Join(home, "state"))
	dir := filepath.Join(home, "data", treeDirName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	treefile := []byte(filepath.Join(dir, "home") + "\x00")
	d := &daemon{trees: newTrees(b.Logf, 0), logf: b.Logf}
	d.notify = newNotifier(time.Hour, signalTick, func(string, string) {})
	defer d.notify.stop(false)
	if follow {
		d.follow = startFollowing(d, 0)
		defer d.follow.close()
	}
	data := dictBytes("metadata::nautilus-icon-position", "112,208")
	paths := make([][]byte, 1<<16)
	for i := range paths {
		paths[i] = []byte(fmt.Sprintf("/bench/dir%04d/file%07d.jpg\x00", i%1000, i))
		if follow && i < 1000 {
			if err := os.MkdirAll(filepath.Join(home, "bench", fmt.Sprintf("dir%04d", i)), 0o755); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	i := 0
	b.ResetTimer()
	for range b.N {
		if err := d.set(treefile, paths[i%len(paths)], bus.NewDecoder(binary.LittleEndian, data)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.StopTimer()
	d.trees.flushAll()
}
