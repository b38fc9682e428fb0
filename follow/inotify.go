// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import (
	"encoding/binary"
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// watchMask is what a watched directory reports: names moved out of and
// into it, and its own move or removal. Creations and deletions of
// entries are left out: unpacking an archive into a watched directory
// then costs nothing.
const watchMask = unix.IN_MOVED_FROM | unix.IN_MOVED_TO | unix.IN_MOVE_SELF | unix.IN_DELETE_SELF |
	unix.IN_ONLYDIR | unix.IN_DONT_FOLLOW | unix.IN_EXCL_UNLINK

// event is one inotify event.
type event struct {
	wd     int32
	mask   uint32
	cookie uint32
	name   string
}

// inotify is one inotify instance, read through the runtime's poller: a
// reader waiting for events costs no thread and no wake-up.
type inotify struct {
	fd   int
	file *os.File
	buf  []byte
}

func newInotify() (*inotify, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("inotify_init1", err)
	}
	return &inotify{fd: fd, file: os.NewFile(uintptr(fd), "inotify"), buf: make([]byte, 64<<10)}, nil
}

// add watches dir. ENOSPC means the user's watch limit is reached.
func (in *inotify) add(dir string) (int32, error) {
	wd, err := unix.InotifyAddWatch(in.fd, dir, watchMask)
	return int32(wd), err
}

func (in *inotify) remove(wd int32) { unix.InotifyRmWatch(in.fd, uint32(wd)) }

// read waits for events and returns those one read brought.
func (in *inotify) read() ([]event, error) {
	n, err := in.file.Read(in.buf)
	if err != nil {
		return nil, err
	}
	return parseEvents(in.buf[:n])
}

func (in *inotify) close() error { return in.file.Close() }

var errShortEvent = errors.New("inotify: truncated event")

// parseEvents splits what the kernel wrote into events.
func parseEvents(b []byte) ([]event, error) {
	var out []event
	for len(b) > 0 {
		if len(b) < unix.SizeofInotifyEvent {
			return out, errShortEvent
		}
		e := event{
			wd:     int32(binary.NativeEndian.Uint32(b[0:])),
			mask:   binary.NativeEndian.Uint32(b[4:]),
			cookie: binary.NativeEndian.Uint32(b[8:]),
		}
		n := int(binary.NativeEndian.Uint32(b[12:]))
		b = b[unix.SizeofInotifyEvent:]
		if n > len(b) {
			return out, errShortEvent
		}
		name := b[:n]
		for len(name) > 0 && name[len(name)-1] == 0 {
			name = name[:len(name)-1]
		}
		e.name = string(name)
		b = b[n:]
		out = append(out, e)
	}
	return out, nil
}
