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
// checks, the journal append and the signal bookkeeping.
func BenchmarkSet(b *testing.B) {
	dir := filepath.Join(b.TempDir(), treeDirName)
	if err := os.Mkdir(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	treefile := []byte(filepath.Join(dir, "home") + "\x00")
	d := &daemon{trees: newTrees(b.Logf, 0)}
	d.notify = newNotifier(time.Hour, signalTick, func(string, string) {})
	defer d.notify.stop(false)
	data := dictBytes("metadata::nautilus-icon-position", "112,208")
	paths := make([][]byte, 1<<16)
	for i := range paths {
		paths[i] = []byte(fmt.Sprintf("/bench/dir%04d/file%07d.jpg\x00", i%1000, i))
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
