// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import (
	"golang.org/x/sys/unix"
)

// Identity tells one file apart from every other, across renames: its
// device and inode, and what a rename leaves alone and a new file that
// reuses the inode does not share. The birth time says that where the
// file system keeps one; elsewhere, for a regular file, its modification
// time and size do, and a directory without one is never matched.
type Identity struct {
	Dev   uint64
	Ino   uint64
	Birth int64 // nanoseconds since the epoch; 0: not kept by the file system
	Mtime int64 // nanoseconds since the epoch
	Size  int64
	Dir   bool
	Links uint32 // hard links: a file with several names is never matched
}

// Known reports whether id was read from a file.
func (id Identity) Known() bool { return id.Ino != 0 }

// Same reports whether a and b are certainly one file. It errs towards
// "no": a wrong match would move metadata onto a stranger.
func Same(a, b Identity) bool {
	if !a.Known() || !b.Known() || a.Dev != b.Dev || a.Ino != b.Ino || a.Dir != b.Dir {
		return false
	}
	if !a.Dir && (a.Links > 1 || b.Links > 1) {
		return false
	}
	if a.Birth != 0 && b.Birth != 0 {
		return a.Birth == b.Birth
	}
	return !a.Dir && a.Mtime == b.Mtime && a.Size == b.Size
}

// identify reads the identity of the file at name, not following a final
// symlink.
func identify(name string) (Identity, error) {
	var st unix.Statx_t
	mask := unix.STATX_TYPE | unix.STATX_INO | unix.STATX_BTIME | unix.STATX_MTIME | unix.STATX_SIZE | unix.STATX_NLINK
	if err := unix.Statx(unix.AT_FDCWD, name, unix.AT_SYMLINK_NOFOLLOW|unix.AT_STATX_DONT_SYNC, mask, &st); err != nil {
		return Identity{}, err
	}
	id := Identity{
		Dev:   unix.Mkdev(st.Dev_major, st.Dev_minor),
		Ino:   st.Ino,
		Mtime: st.Mtime.Sec*1e9 + int64(st.Mtime.Nsec),
		Size:  int64(st.Size),
		Dir:   st.Mode&unix.S_IFMT == unix.S_IFDIR,
		Links: st.Nlink,
	}
	if st.Mask&unix.STATX_BTIME != 0 {
		id.Birth = st.Btime.Sec*1e9 + int64(st.Btime.Nsec)
	}
	return id, nil
}

// exists reports whether something has the name, not following a final
// symlink.
func exists(name string) bool {
	var st unix.Stat_t
	return unix.Lstat(name, &st) == nil
}
