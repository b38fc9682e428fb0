// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// OS is the real file system.
type OS struct {
	// NoFollow refuses to open a tree or journal through a symlink, so a
	// file swapped for a link after a caller checked it cannot redirect
	// the daemon's writes.
	NoFollow bool
	// ForceNFS treats every directory as NFS, to run the NFS ways
	// (journals in the runtime directory) on a local disk.
	ForceNFS bool
}

type osFile struct{ *os.File }

func (o OS) openFlags() int {
	if o.NoFollow {
		return unix.O_CLOEXEC | unix.O_NOFOLLOW
	}
	return unix.O_CLOEXEC
}

func (o OS) Open(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|o.openFlags(), 0)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (o OS) OpenWrite(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|o.openFlags(), 0)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (OS) CreateExclusive(name string, perm os.FileMode) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|unix.O_CLOEXEC, perm)
	if err != nil {
		return nil, err
	}
	// The umask may have narrowed perm; metadata files must end up exactly
	// 0600 whatever it is.
	if err := f.Chmod(perm); err != nil {
		f.Close()
		os.Remove(name)
		return nil, err
	}
	return osFile{f}, nil
}

func (OS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }
func (OS) Remove(name string) error             { return os.Remove(name) }
func (OS) Link(oldname, newname string) error   { return os.Link(oldname, newname) }

func (OS) MkdirAll(dir string, perm os.FileMode) error { return os.MkdirAll(dir, perm) }

func (OS) ReadDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, err
}

func (OS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (OS) Lstat(name string) (FileInfo, error) {
	var st unix.Stat_t
	if err := unix.Lstat(name, &st); err != nil {
		return FileInfo{}, &os.PathError{Op: "lstat", Path: name, Err: err}
	}
	return statInfo(&st), nil
}

// nfsSuperMagic is statfs's f_type for NFS.
const nfsSuperMagic = 0x6969

func (o OS) IsNFS(dir string) bool {
	var st unix.Statfs_t
	return o.ForceNFS || unix.Statfs(dir, &st) == nil && st.Type == nfsSuperMagic
}

func (OS) CopyRange(dst, src File, off, n int64) error {
	d, dok := dst.(osFile)
	s, sok := src.(osFile)
	end := off + n
	if dok && sok {
		for off < end {
			out := off
			done, err := unix.CopyFileRange(int(s.Fd()), &off, int(d.Fd()), &out, int(end-off), 0)
			if err != nil || done == 0 {
				// Not on this file system (or kernel): copy it ourselves
				// from where the kernel stopped.
				break
			}
		}
	}
	if off == end {
		return nil
	}
	_, err := io.Copy(io.NewOffsetWriter(dst, off), io.NewSectionReader(src, off, end-off))
	return err
}

func statInfo(st *unix.Stat_t) FileInfo {
	return FileInfo{
		ModTime:   time.Unix(st.Mtim.Unix()),
		Size:      st.Size,
		Inode:     st.Ino,
		Mode:      os.FileMode(st.Mode & 0o777),
		IsSymlink: st.Mode&unix.S_IFMT == unix.S_IFLNK,
		Links:     uint64(st.Nlink),
	}
}

func (f osFile) Stat() (FileInfo, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return FileInfo{}, &os.PathError{Op: "fstat", Path: f.Name(), Err: err}
	}
	return statInfo(&st), nil
}

func (f osFile) Lock() error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			return err
		}
	}
}

func (f osFile) Unlock() error { return unix.Flock(int(f.Fd()), unix.LOCK_UN) }

func (f osFile) Map(size int) (Mapping, error) {
	b, err := f.mmap(size, unix.PROT_READ)
	return osMapping(b), err
}

func (f osFile) MapWritable(size int) (WritableMapping, error) {
	b, err := f.mmap(size, unix.PROT_READ|unix.PROT_WRITE)
	return osWritableMapping{osMapping(b)}, err
}

func (f osFile) mmap(size, prot int) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	b, err := unix.Mmap(int(f.Fd()), 0, size, prot, unix.MAP_SHARED)
	if err != nil {
		return nil, &os.PathError{Op: "mmap", Path: f.Name(), Err: err}
	}
	return b, nil
}

type osMapping []byte

func (m osMapping) Bytes() []byte { return m }

func (m osMapping) Unmap() error {
	if len(m) == 0 {
		return nil
	}
	return unix.Munmap(m)
}

// osWritableMapping writes by copying into the shared pages.
type osWritableMapping struct{ osMapping }

func (m osWritableMapping) WriteAt(p []byte, off int64) (int, error) {
	if err := m.check(off, len(p)); err != nil {
		return 0, err
	}
	return copy(m.osMapping[off:], p), nil
}

func (m osWritableMapping) PublishUint32(off int64, v uint32) error {
	if err := m.check(off, 4); err != nil {
		return err
	}
	if off%4 != 0 {
		return fmt.Errorf("atomic store at unaligned offset %d", off)
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&m.osMapping[off])), binary.NativeEndian.Uint32(b[:]))
	return nil
}

func (m osWritableMapping) check(off int64, n int) error {
	if off < 0 || off > int64(len(m.osMapping)) || int64(n) > int64(len(m.osMapping))-off {
		return fmt.Errorf("write of %d bytes at %d beyond a %d-byte mapping", n, off, len(m.osMapping))
	}
	return nil
}
