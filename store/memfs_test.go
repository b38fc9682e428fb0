// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"errors"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
)

// memFS is an in-memory FS that records every operation, so that a test
// can rebuild what a disk may hold after power loss at any point: writes
// not yet fsynced dropped, applied, or torn at 512-byte sectors; directory
// changes (creations, renames, removals) after the last directory fsync
// undone from some point on.
type memFS struct {
	mu     sync.Mutex
	names  map[string]int // live namespace: path -> inode
	dirs   map[string]bool
	inodes map[int][]byte // live contents
	nextID int
	log    []fsOp
	// base is the durable state the log starts from.
	baseNames  map[string]int
	baseInodes map[int][]byte
	// nfs makes IsNFS true; beforeSync, when set, runs before each fsync
	// of a file (tests hold a rotation there).
	nfs        bool
	beforeSync func(name string)
}

type opKind int

const (
	opCreate opKind = iota // name -> new inode
	opWrite
	opSync
	opRename
	opRemove
	opLink
	opSyncDir
)

type fsOp struct {
	kind  opKind
	path  string
	path2 string
	ino   int
	off   int64
	data  []byte
}

func newMemFS() *memFS {
	return &memFS{names: map[string]int{}, dirs: map[string]bool{"/": true}, inodes: map[int][]byte{}, nextID: 1}
}

func (m *memFS) record(op fsOp) { m.log = append(m.log, op) }

func (m *memFS) open(name string, write bool) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ino, ok := m.names[name]
	if !ok {
		return nil, &os.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{fs: m, ino: ino, name: name, write: write}, nil
}

func (m *memFS) Open(name string) (File, error)      { return m.open(name, false) }
func (m *memFS) OpenWrite(name string) (File, error) { return m.open(name, true) }

func (m *memFS) CreateExclusive(name string, perm os.FileMode) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.names[name]; ok {
		return nil, &os.PathError{Op: "create", Path: name, Err: fs.ErrExist}
	}
	if !m.dirs[filepath.Dir(name)] {
		return nil, &os.PathError{Op: "create", Path: name, Err: fs.ErrNotExist}
	}
	ino := m.nextID
	m.nextID++
	m.inodes[ino] = []byte{}
	m.names[name] = ino
	m.record(fsOp{kind: opCreate, path: name, ino: ino})
	return &memFile{fs: m, ino: ino, name: name, write: true}, nil
}

func (m *memFS) Rename(oldname, newname string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ino, ok := m.names[oldname]
	if !ok {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: fs.ErrNotExist}
	}
	delete(m.names, oldname)
	m.names[newname] = ino
	m.record(fsOp{kind: opRename, path: oldname, path2: newname})
	return nil
}

func (m *memFS) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.names[name]; !ok {
		return &os.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(m.names, name)
	m.record(fsOp{kind: opRemove, path: name})
	return nil
}

func (m *memFS) Link(oldname, newname string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ino, ok := m.names[oldname]
	if !ok {
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: fs.ErrNotExist}
	}
	if _, ok := m.names[newname]; ok {
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: fs.ErrExist}
	}
	m.names[newname] = ino
	m.record(fsOp{kind: opLink, path: oldname, path2: newname})
	return nil
}

func (m *memFS) MkdirAll(dir string, perm os.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for d := dir; !m.dirs[d]; d = filepath.Dir(d) {
		m.dirs[d] = true
	}
	return nil
}

func (m *memFS) SyncDir(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.record(fsOp{kind: opSyncDir, path: dir})
	return nil
}

func (m *memFS) Lstat(name string) (FileInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ino, ok := m.names[name]
	if !ok {
		return FileInfo{}, &os.PathError{Op: "lstat", Path: name, Err: fs.ErrNotExist}
	}
	return FileInfo{Size: int64(len(m.inodes[ino])), Inode: uint64(ino), Mode: 0o600, Links: m.links(ino)}, nil
}

func (m *memFS) IsNFS(string) bool { return m.nfs }

// CopyRange is a write of src's bytes to dst, recorded like any other.
func (m *memFS) CopyRange(dst, src File, off, n int64) error {
	buf := make([]byte, n)
	if _, err := src.ReadAt(buf, off); err != nil {
		return err
	}
	_, err := dst.WriteAt(buf, off)
	return err
}

func (m *memFS) ReadDir(dir string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for name := range m.names {
		if filepath.Dir(name) == dir {
			names = append(names, filepath.Base(name))
		}
	}
	return names, nil
}

type memFile struct {
	fs     *memFS
	ino    int
	name   string
	write  bool
	closed bool
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	data := f.fs.inodes[f.ino]
	if off >= int64(len(data)) {
		return 0, io.EOF
	}
	n := copy(p, data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	if !f.write {
		return 0, errors.New("file not open for writing")
	}
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	data := f.fs.inodes[f.ino]
	if end := off + int64(len(p)); end > int64(len(data)) {
		grown := make([]byte, end)
		copy(grown, data)
		data = grown
	}
	copy(data[off:], p)
	f.fs.inodes[f.ino] = data
	f.fs.record(fsOp{kind: opWrite, ino: f.ino, off: off, data: append([]byte(nil), p...)})
	return len(p), nil
}

func (f *memFile) Sync() error {
	if hook := f.fs.beforeSync; hook != nil {
		hook(f.name)
	}
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	f.fs.record(fsOp{kind: opSync, ino: f.ino})
	return nil
}

func (f *memFile) Close() error { f.closed = true; return nil }

// Lock and Unlock do nothing: a memFS has one writer.
func (f *memFile) Lock() error   { return nil }
func (f *memFile) Unlock() error { return nil }

func (f *memFile) Stat() (FileInfo, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return FileInfo{Size: int64(len(f.fs.inodes[f.ino])), Inode: uint64(f.ino), Mode: 0o600, Links: f.fs.links(f.ino)}, nil
}

// links counts the names of inode ino. Called with m.mu held.
func (m *memFS) links(ino int) uint64 {
	n := uint64(0)
	for _, i := range m.names {
		if i == ino {
			n++
		}
	}
	return n
}

// Map aliases the live contents, so later writes show through as they do
// in a shared mapping (files are sized before they are mapped and never
// grow afterwards).
func (f *memFile) Map(size int) (Mapping, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return memMapping(f.fs.inodes[f.ino][:size]), nil
}

// MapWritable writes through the file, so that the power-loss replay
// sees every write the store makes through the mapping.
func (f *memFile) MapWritable(size int) (WritableMapping, error) {
	if !f.write {
		return nil, errors.New("file not open for writing")
	}
	m, err := f.Map(size)
	if err != nil {
		return nil, err
	}
	return memWritableMapping{m.(memMapping), f}, nil
}

type memWritableMapping struct {
	memMapping
	f *memFile
}

func (m memWritableMapping) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > int64(len(m.memMapping)) {
		return 0, errors.New("write beyond the mapping")
	}
	return m.f.WriteAt(p, off)
}

func (m memWritableMapping) PublishUint32(off int64, v uint32) error {
	var b [4]byte
	be.PutUint32(b[:], v)
	_, err := m.WriteAt(b[:], off)
	return err
}

type memMapping []byte

func (m memMapping) Bytes() []byte { return m }
func (m memMapping) Unmap() error  { return nil }

// crashImage rebuilds the disk after power loss just after the first n
// recorded operations. Directory changes after the last directory fsync
// survive up to a random point; writes not fsynced each survive, vanish,
// or survive only in some 512-byte sectors.
func (m *memFS) crashImage(n int, rng *rand.Rand) *memFS {
	ops := m.log[:n]
	durable := map[int][]byte{}
	for ino, data := range m.baseInodes {
		durable[ino] = data
	}
	pending := map[int][]fsOp{}
	lastDirSync := -1
	for i, op := range ops {
		switch op.kind {
		case opWrite:
			pending[op.ino] = append(pending[op.ino], op)
		case opSync:
			durable[op.ino] = applyData(durable[op.ino], pending[op.ino], nil)
			delete(pending, op.ino)
		case opSyncDir:
			lastDirSync = i
		}
	}
	// Namespace: everything up to the last directory sync, then a prefix
	// of the later changes.
	var nsOps []fsOp
	for i, op := range ops {
		switch op.kind {
		case opCreate, opRename, opRemove, opLink:
			if i <= lastDirSync {
				nsOps = append(nsOps, op)
			}
		}
	}
	var late []fsOp
	for i, op := range ops {
		if i > lastDirSync && (op.kind == opCreate || op.kind == opRename || op.kind == opRemove || op.kind == opLink) {
			late = append(late, op)
		}
	}
	keep := len(late)
	if rng != nil {
		keep = rng.IntN(len(late) + 1)
	}
	nsOps = append(nsOps, late[:keep]...)

	img := newMemFS()
	img.nextID = m.nextID
	for d := range m.dirs {
		img.dirs[d] = true
	}
	for name, ino := range m.baseNames {
		img.names[name] = ino
	}
	for _, op := range nsOps {
		switch op.kind {
		case opCreate:
			img.names[op.path] = op.ino
		case opRename:
			if ino, ok := img.names[op.path]; ok {
				delete(img.names, op.path)
				img.names[op.path2] = ino
			}
		case opRemove:
			delete(img.names, op.path)
		case opLink:
			if ino, ok := img.names[op.path]; ok {
				img.names[op.path2] = ino
			}
		}
	}
	for _, ino := range img.names {
		if _, done := img.inodes[ino]; done {
			continue
		}
		img.inodes[ino] = applyData(durable[ino], pending[ino], rng)
	}
	img.baseNames = maps.Clone(img.names)
	img.baseInodes = map[int][]byte{}
	for ino, data := range img.inodes {
		img.baseInodes[ino] = append([]byte(nil), data...)
	}
	return img
}

// applyData replays writes on a copy of base; with rng, each write is kept,
// dropped, or torn (only some of its 512-byte sectors land).
func applyData(base []byte, writes []fsOp, rng *rand.Rand) []byte {
	data := append([]byte(nil), base...)
	for _, w := range writes {
		mode := 0 // keep
		if rng != nil {
			mode = rng.IntN(3)
		}
		if mode == 1 {
			continue
		}
		switch w.kind {
		case opWrite:
			if end := w.off + int64(len(w.data)); end > int64(len(data)) {
				grown := make([]byte, end)
				copy(grown, data)
				data = grown
			}
			// Sectors are aligned to the file, not to the write.
			end := w.off + int64(len(w.data))
			for pos := w.off; pos < end; {
				next := min((pos/512+1)*512, end)
				if mode != 2 || rng.IntN(2) == 0 {
					copy(data[pos:next], w.data[pos-w.off:next-w.off])
				}
				pos = next
			}
		}
	}
	return data
}

// checkpoint makes everything recorded so far durable and starts a new log.
func (m *memFS) checkpoint() *memFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	img := m.crashImage(len(m.log), nil)
	return img
}
