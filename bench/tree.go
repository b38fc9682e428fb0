// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"gvfs-metadata/format"
	"gvfs-metadata/store"
)

// What the generated trees hold: size files under /bench, a hundred per
// directory, plus the directory gio lists; one key each with a short value,
// as a file manager's icon positions look.
const (
	benchKey    = "nautilus-icon-position"
	benchValue  = "112,208" // what every benchmark Set writes
	filesPerDir = 100
	readersDir  = "readers"
	stamp       = 1_700_000_000
)

// benchDirs is how many /bench directories a tree of size files has.
func benchDirs(size int) int { return max(1, (size+filesPerDir-1)/filesPerDir) }

func benchDir(i int) string   { return fmt.Sprintf("d%05d", i) }
func readerFile(i int) string { return fmt.Sprintf("f%04d.jpg", i) }

// Template is a tree file and its empty journal, generated once per size
// and copied into every world of that size, so both daemons start from the
// same bytes.
type Template struct {
	Size  int
	Files int // files of the readers' directory, in the tree and on disk
	dir   string
}

// NewTemplate writes the tree of size entries (plus files readers' entries)
// with the format package's builder, through store.Create, under dir.
func NewTemplate(dir string, size, files int) (*Template, error) {
	t := &Template{Size: size, Files: files, dir: filepath.Join(dir, fmt.Sprintf("tree-%d-%d", size, files))}
	if _, err := os.Stat(filepath.Join(t.dir, "home")); err == nil {
		return t, nil
	}
	if err := os.RemoveAll(t.dir); err != nil {
		return nil, err
	}
	st, err := store.Create(filepath.Join(t.dir, "home"), generate(size, files), store.Options{})
	if err != nil {
		return nil, fmt.Errorf("generating the %d-entry tree: %w", size, err)
	}
	if err := st.Close(); err != nil {
		return nil, err
	}
	debug.FreeOSMemory() // a million nodes are garbage now; give the memory back before measuring
	return t, nil
}

func generate(size, files int) *format.Node {
	root := &format.Node{LastChanged: stamp}
	leaf := func(name string, i int) *format.Node {
		return &format.Node{Name: name, LastChanged: stamp, Keys: []format.KeyValue{
			{Key: benchKey, Value: fmt.Sprintf("%d,%d", 64+(i%10)*96, 48+(i/10%10)*80)},
		}}
	}
	if size > 0 {
		bench := &format.Node{Name: "bench", LastChanged: stamp}
		root.Children = append(root.Children, bench)
		for d := range benchDirs(size) {
			dir := &format.Node{Name: benchDir(d), LastChanged: stamp}
			for i := d * filesPerDir; i < min(size, (d+1)*filesPerDir); i++ {
				dir.Children = append(dir.Children, leaf(fmt.Sprintf("f%07d.jpg", i), i))
			}
			bench.Children = append(bench.Children, dir)
		}
	}
	if files > 0 {
		readers := &format.Node{Name: readersDir, LastChanged: stamp}
		for i := range files {
			readers.Children = append(readers.Children, leaf(readerFile(i), i))
		}
		root.Children = append(root.Children, readers)
	}
	root.Sort()
	return root
}

// Install copies the tree and its journal into dataHome/gvfs-metadata. A
// copy, not a link: the reference marks the tree it replaces as rotated
// in place.
func (t *Template) Install(dataHome string) error {
	dst := filepath.Join(dataHome, "gvfs-metadata")
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	names, err := os.ReadDir(t.dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := copyFile(filepath.Join(t.dir, n.Name()), filepath.Join(dst, n.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// CreateFiles makes the readers' directory under home: files empty files,
// whose metadata is already in the tree.
func (t *Template) CreateFiles(home string) (string, error) {
	dir := filepath.Join(home, readersDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for i := range t.Files {
		if err := os.WriteFile(filepath.Join(dir, readerFile(i)), nil, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}
