// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"os"
	"time"
)

// FS is every file-system operation the store performs. The production
// implementation is OS; tests substitute one that records operations and
// replays what a disk may keep after power loss.
type FS interface {
	// Open opens an existing file read-only.
	Open(name string) (File, error)
	// OpenWrite opens an existing file for reading and writing.
	OpenWrite(name string) (File, error)
	// CreateExclusive creates a new file that must not exist yet.
	CreateExclusive(name string, perm os.FileMode) (File, error)
	Rename(oldname, newname string) error
	Remove(name string) error
	Link(oldname, newname string) error
	// MkdirAll creates dir and its missing parents with perm.
	MkdirAll(dir string, perm os.FileMode) error
	// SyncDir makes the directory's entries (creations, renames,
	// removals) durable.
	SyncDir(dir string) error
	// Lstat describes a path without following a final symlink.
	Lstat(name string) (FileInfo, error)
	// ReadDir lists the names in a directory.
	ReadDir(dir string) ([]string, error)
	// IsNFS reports whether dir lives on NFS, where the journal goes to
	// the runtime directory and files are opened through a private link.
	IsNFS(dir string) bool
	// CopyRange copies n bytes at off in src to the same place in dst,
	// in the kernel where the file system can (without passing them
	// through this process).
	CopyRange(dst, src File, off, n int64) error
}

// File is an open file.
type File interface {
	ReadAt(p []byte, off int64) (int, error)
	WriteAt(p []byte, off int64) (int, error)
	Sync() error
	Close() error
	Stat() (FileInfo, error)
	// Map maps the first size bytes read-only and shared, so that the
	// mapping sees later writes to the file by anyone.
	Map(size int) (Mapping, error)
	// MapWritable maps the first size bytes of a file opened for writing,
	// shared: a write through it is a write to the file, seen at once by
	// every other mapping of it, without a system call.
	MapWritable(size int) (WritableMapping, error)
	// Lock waits for an exclusive advisory lock on the file, which every
	// store writing the same tree from another process takes too (see
	// cowriter_share.go); Unlock releases it.
	Lock() error
	Unlock() error
}

// Mapping is a read-only shared view of a file.
type Mapping interface {
	Bytes() []byte
	Unmap() error
}

// WritableMapping is a shared view of a file that the store writes
// through.
type WritableMapping interface {
	Mapping
	// WriteAt copies p into the file at off; it never grows the file.
	WriteAt(p []byte, off int64) (int, error)
	// PublishUint32 stores v big-endian at the 4-byte aligned off in one
	// atomic store, after every write before it: another process never
	// sees a torn value nor, on any CPU, the value before those writes.
	// It is how a journal's entry count publishes its entries.
	PublishUint32(off int64, v uint32) error
}

// FileInfo is what the store needs to know about a file.
type FileInfo struct {
	ModTime   time.Time
	Size      int64
	Inode     uint64
	Mode      os.FileMode
	IsSymlink bool
	// Links is how many names the file has: 0 once it was removed or
	// replaced, though it is still open.
	Links uint64
}
