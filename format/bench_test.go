// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"fmt"
	"testing"
)

// bigTree has n files spread over directories of 100, each with two keys.
func bigTree(n int) *Node {
	root := &Node{}
	for d := 0; d*100 < n; d++ {
		dir := &Node{Name: fmt.Sprintf("dir%05d", d), LastChanged: 1700000000}
		for f := 0; f < 100 && d*100+f < n; f++ {
			dir.Children = append(dir.Children, &Node{
				Name: fmt.Sprintf("file%05d.jpg", d*100+f), LastChanged: int64(1700000000 + f),
				Keys: []KeyValue{
					{Key: "emblems", IsList: true, List: []string{"important"}},
					{Key: "nautilus-icon-position", Value: fmt.Sprintf("%d,%d", f*64, d)},
				},
			})
		}
		root.Children = append(root.Children, dir)
	}
	root.Sort()
	return root
}

func BenchmarkLookupPathAndKey100k(b *testing.B) {
	tr, err := ParseTree(Build(bigTree(100_000), 1))
	if err != nil {
		b.Fatal(err)
	}
	paths := make([][]byte, 1000)
	for i := range paths {
		n := (i * 97) % 100_000
		paths[i] = []byte(fmt.Sprintf("/dir%05d/file%05d.jpg", n/100, n))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, ok, err := tr.Lookup(paths[i%len(paths)])
		if !ok || err != nil {
			b.Fatal("not found")
		}
		data, _ := d.Data()
		id, _ := tr.KeyID([]byte("nautilus-icon-position"))
		it, ok := data.Find(id)
		if !ok {
			b.Fatal("no key")
		}
		if _, err := it.Value(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		root := bigTree(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for i := 0; i < b.N; i++ {
				size = len(Build(root, 1))
			}
			b.ReportMetric(float64(size), "file-bytes")
		})
	}
}

func BenchmarkEncodeEntry(b *testing.B) {
	c := Change{Op: OpSet, Mtime: 1700000000, Path: "/home/user/Pictures/holiday/img_0001.jpg", Key: "nautilus-icon-position", Value: "128,256"}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf, _ = c.AppendTo(buf[:0])
	}
}
