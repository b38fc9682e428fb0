// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"os"
	"sync/atomic"
	"syscall"
)

// faultFS wraps a real FS: it runs hooks at the steps of a rotation that
// tests want to stop at, and can play a full disk.
type faultFS struct {
	FS
	// beforeSync runs before a file's fsync (a rotation's new tree or
	// journal).
	beforeSync func(name string)
	// afterRename runs once a rename is done.
	afterRename func(oldname, newname string)
	// beforeSyncDir runs before a directory fsync.
	beforeSyncDir func(dir string)
	// full makes every write that would allocate space (one that extends
	// a file) fail with ENOSPC, as on a full disk; writes within a file's
	// size, and through a mapping of it, still go through.
	full atomic.Bool
	// fileRoom, when set, makes a write that would extend a file past
	// that many bytes fail with ENOSPC: a nearly full disk, with room for
	// small files only.
	fileRoom atomic.Int64
	// failSyncDir makes directory fsyncs fail with EIO.
	failSyncDir atomic.Bool
}

func (f *faultFS) Open(name string) (File, error) { return f.wrap(f.FS.Open(name)) }

func (f *faultFS) OpenWrite(name string) (File, error) { return f.wrap(f.FS.OpenWrite(name)) }

func (f *faultFS) CreateExclusive(name string, perm os.FileMode) (File, error) {
	return f.wrap(f.FS.CreateExclusive(name, perm))
}

func (f *faultFS) wrap(file File, err error) (File, error) {
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f}, nil
}

func (f *faultFS) Rename(oldname, newname string) error {
	if err := f.FS.Rename(oldname, newname); err != nil {
		return err
	}
	if f.afterRename != nil {
		f.afterRename(oldname, newname)
	}
	return nil
}

func (f *faultFS) SyncDir(dir string) error {
	if f.beforeSyncDir != nil {
		f.beforeSyncDir(dir)
	}
	if f.failSyncDir.Load() {
		return &os.PathError{Op: "fsync", Path: dir, Err: syscall.EIO}
	}
	return f.FS.SyncDir(dir)
}

func (f *faultFS) CopyRange(dst, src File, off, n int64) error {
	if f.full.Load() {
		return &os.PathError{Op: "copy_file_range", Path: "file", Err: syscall.ENOSPC}
	}
	return f.FS.CopyRange(dst.(*faultFile).File, src.(*faultFile).File, off, n)
}

type faultFile struct {
	File
	fs *faultFS
}

func (f *faultFile) WriteAt(p []byte, off int64) (int, error) {
	if room := f.fs.fileRoom.Load(); f.fs.full.Load() || room > 0 {
		st, err := f.Stat()
		if err != nil {
			return 0, err
		}
		end := off + int64(len(p))
		if end > st.Size && (f.fs.full.Load() || end > room) {
			return 0, &os.PathError{Op: "write", Path: "file", Err: syscall.ENOSPC}
		}
	}
	return f.File.WriteAt(p, off)
}

func (f *faultFile) Sync() error {
	if hook := f.fs.beforeSync; hook != nil {
		if n, ok := f.File.(interface{ Name() string }); ok {
			hook(n.Name())
		} else {
			hook("")
		}
	}
	return f.File.Sync()
}
