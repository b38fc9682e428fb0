// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"fmt"
	"path/filepath"
	"testing"

	"gvfs-metadata/format"
)

// benchTree is a tree of n files, 100 per directory, one key each.
func benchTree(n int) *format.Node {
	root := &format.Node{}
	var dir *format.Node
	for i := range n {
		if i%100 == 0 {
			dir = &format.Node{Name: fmt.Sprintf("dir%05d", i/100), LastChanged: 1700000000}
			root.Children = append(root.Children, dir)
		}
		dir.Children = append(dir.Children, &format.Node{
			Name: fmt.Sprintf("file%07d.jpg", i), LastChanged: 1700000000,
			Keys: []format.KeyValue{{Key: "nautilus-icon-position", Value: fmt.Sprint(i)}},
		})
	}
	return root
}

// populated creates a store whose tree already holds n files (written with
// the format package's builder), as a long-lived user tree would.
func populated(b *testing.B, n int, opts Options) *Store {
	b.Helper()
	root := benchTree(n)
	s, err := Create(filepath.Join(b.TempDir(), "gvfs-metadata", "home"), root, opts)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkAppend measures one Set into the journal (rotations included,
// as they come when the journal fills).
func BenchmarkAppend(b *testing.B) {
	for _, bg := range []bool{false, true} {
		b.Run(fmt.Sprintf("background=%v", bg), func(b *testing.B) {
			s := populated(b, 1000, Options{Background: bg})
			defer s.Close()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := s.Set(fmt.Sprintf("/new/file%d", i%5000), "k", "value"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRotation measures merging a full journal into trees of 10k and
// 100k entries: time and bytes allocated per rotation.
func BenchmarkRotation(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s := populated(b, n, Options{})
			defer s.Close()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for j := range 300 {
					s.Set(fmt.Sprintf("/dir%05d/file%07d.jpg", j, j*7), "k", fmt.Sprint(i))
				}
				b.StartTimer()
				if err := s.Flush(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGet(b *testing.B) {
	s := populated(b, 100_000, Options{})
	defer s.Close()
	for j := range 300 {
		s.Set(fmt.Sprintf("/journal/f%d", j), "k", "v")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := (i * 97) % 100_000
		if _, ok, _ := s.Get(fmt.Sprintf("/dir%05d/file%07d.jpg", n/100, n), "nautilus-icon-position"); !ok {
			b.Fatal("missing")
		}
	}
}

// BenchmarkRebuildCopying measures the copying rotation alone (no file
// I/O) on trees of 100k and 1M entries with 300 journal entries spread
// over 300 directories, against the full rebuild.
func BenchmarkRebuildCopying(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		old, err := format.ParseTree(format.Build(benchTree(n), 1))
		if err != nil {
			b.Fatal(err)
		}
		var entries []byte
		for j := range 300 {
			c := format.Change{Op: format.OpSet, Mtime: 1800000000, Path: fmt.Sprintf("/dir%05d/file%07d.jpg", j*3, j*300), Key: "k", Value: "v"}
			entries, _ = c.AppendTo(entries)
		}
		b.Run(fmt.Sprintf("copying/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := rebuild(old, entryRuns{entries}, 2); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("full/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				root, _ := loadTree(old)
				for off := 0; off < len(entries); {
					e, _ := format.DecodeEntry(entries, uint32(off))
					c := e.Change()
					replayOnNodes(root, &c)
					off += int(e.Size)
				}
				format.Build(root, 2)
			}
		})
	}
}

// burstOf returns a tree of n files, 100 to a directory, and journal
// entries of Sets to new files the way a burst writes them: until more
// would pass room bytes, the j-th in directory dirOf(j, n/100).
func burstOf(b *testing.B, n, room int, dirOf func(j, dirs int) int) (*format.Tree, []byte) {
	b.Helper()
	old, err := format.ParseTree(format.Build(benchTree(n), 1))
	if err != nil {
		b.Fatal(err)
	}
	var entries []byte
	for j := 0; ; j++ {
		c := format.Change{Op: format.OpSet, Mtime: 1800000000, Path: fmt.Sprintf("/dir%05d/new%07d.jpg", dirOf(j, n/100), j), Key: "nautilus-icon-position", Value: "112,208"}
		if len(entries)+c.EncodedSize() > room {
			return old, entries
		}
		entries, _ = c.AppendTo(entries)
	}
}

// BenchmarkRebuildBurst measures the copying rotation of a journal the way
// a burst of Sets to new files fills it when they are spread over every
// directory (as bench writes them): 800 new entries, each in a
// directory of its own, so most directories' blocks change.
func BenchmarkRebuildBurst(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		one := format.Change{Op: format.OpSet, Path: "/dir00000/new0000000.jpg", Key: "nautilus-icon-position", Value: "112,208"}
		old, entries := burstOf(b, n, 800*one.EncodedSize(), func(j, dirs int) int { return j * dirs / 800 })
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := rebuild(old, entryRuns{entries}, 2); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPatchBurst measures a patching rotation of a full burst
// journal (MaxJournalSize of Sets to new files, spread over every
// directory as bench writes them) on trees of 100k and 1M entries: the
// patch, without the copy of the old file.
func BenchmarkPatchBurst(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		old, entries := burstOf(b, n, MaxJournalSize-format.JournalHeaderSize, func(j, dirs int) int { return j * 7919 % dirs })
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				p, err := patchTree(old, entryRuns{entries}, 2)
				if err != nil {
					b.Fatal(err)
				}
				if err := p.WriteTo(discardAt{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type discardAt struct{}

func (discardAt) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }
