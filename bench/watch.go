// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// TreeWatch notes, through inotify, each time a new tree file is renamed
// over the tree: the last step of every rotation, in both daemons; and
// the size of the journal that new tree names.
type TreeWatch struct {
	f        *os.File
	dir      string
	name     string
	mu       sync.Mutex
	at       []time.Time // when each replacement was seen
	journals []int       // the size of the journal each named, in bytes (0: not found)
	done     chan struct{}
}

// WatchTree watches dir for files renamed to name.
func WatchTree(dir, name string) (*TreeWatch, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_MOVED_TO); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("inotify watch %s: %w", dir, err)
	}
	// A non-blocking descriptor goes through the runtime poller, so Close
	// ends the pending Read.
	w := &TreeWatch{f: os.NewFile(uintptr(fd), "inotify"), dir: dir, name: name, done: make(chan struct{})}
	go w.read()
	return w, nil
}

func (w *TreeWatch) read() {
	defer close(w.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			return
		}
		now := time.Now()
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			nameLen := int(binary.NativeEndian.Uint32(buf[off+12:]))
			name := buf[off+unix.SizeofInotifyEvent : min(n, off+unix.SizeofInotifyEvent+nameLen)]
			if strings.TrimRight(string(name), "\x00") == w.name {
				size := w.journalSize()
				w.mu.Lock()
				w.at = append(w.at, now)
				w.journals = append(w.journals, size)
				w.mu.Unlock()
			}
			off += unix.SizeofInotifyEvent + nameLen
		}
	}
}

// Count is how many replacements were seen so far.
func (w *TreeWatch) Count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.at)
}

// Seen returns when replacement i (counting from 0) was seen.
func (w *TreeWatch) Seen(i int) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if i < len(w.at) {
		return w.at[i], true
	}
	return time.Time{}, false
}

// journalSize is the size of the journal the tree now in place names
// (its tag is in the header, at offset 12), 0 when it cannot be read:
// the tree may already have been replaced again.
func (w *TreeWatch) journalSize() int {
	f, err := os.Open(filepath.Join(w.dir, w.name))
	if err != nil {
		return 0
	}
	defer f.Close()
	var header [16]byte
	if _, err := f.ReadAt(header[:], 0); err != nil {
		return 0
	}
	st, err := os.Stat(filepath.Join(w.dir, fmt.Sprintf("%s-%08x.log", w.name, binary.BigEndian.Uint32(header[12:]))))
	if err != nil {
		return 0
	}
	return int(st.Size())
}

// LargestJournal is the largest journal named by the trees that replaced
// the tree from replacement from (counting from 0) on, in bytes.
func (w *TreeWatch) LargestJournal(from int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	largest := 0
	for _, n := range w.journals[min(from, len(w.journals)):] {
		largest = max(largest, n)
	}
	return largest
}

// Close stops watching.
func (w *TreeWatch) Close() {
	w.f.Close()
	<-w.done
}
