// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// mountWatch calls changed after each change to the mount table: the
// kernel marks /proc/self/mountinfo with POLLPRI when anything is mounted
// or unmounted. A volume plugged in again is how a volume's tree comes
// back into view; without this, following it would wait for the next
// write to that tree. Blocked in poll between changes, it costs nothing
// while nothing is mounted.
type mountWatch struct {
	table   int // the mount table's fd
	wake    int // an eventfd that ends the watch
	done    chan struct{}
	stopped sync.Once
}

// watchMounts starts watching the mount table at path (a mountinfo file).
func watchMounts(path string, changed func()) (*mountWatch, error) {
	// Not os.Open: the runtime's poller would take the file too (the
	// mount table can be polled), and its own polls would consume the
	// changes before this watch sees them.
	table, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(table)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	m := &mountWatch{table: table, wake: wake, done: make(chan struct{})}
	go m.run(changed)
	return m, nil
}

func (m *mountWatch) run(changed func()) {
	defer close(m.done)
	fds := []unix.PollFd{{Fd: int32(m.table), Events: unix.POLLPRI}, {Fd: int32(m.wake), Events: unix.POLLIN}}
	for {
		fds[0].Revents, fds[1].Revents = 0, 0
		if _, err := unix.Poll(fds, -1); err != nil {
			if err == unix.EINTR {
				continue
			}
			return
		}
		if fds[1].Revents != 0 {
			return
		}
		// (The poll itself takes the change as seen: no read is needed
		// before the next one.)
		if fds[0].Revents&(unix.POLLPRI|unix.POLLERR) != 0 {
			changed()
		}
	}
}

// stop ends the watch and waits until changed is no longer called; only
// its first call does anything.
func (m *mountWatch) stop() {
	if m == nil {
		return
	}
	m.stopped.Do(func() {
		unix.Write(m.wake, []byte{1, 0, 0, 0, 0, 0, 0, 0})
		<-m.done
		unix.Close(m.wake)
		unix.Close(m.table)
	})
}
