// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/compat/protocol"
	"gvfs-metadata/internal/session"
)

// World is one scenario's private desktop: a session bus whose
// org.gtk.vfs.Metadata is the reference daemon, a HOME whose files land in
// the "home" tree, one godbus connection for direct calls, and the model of
// what the reference should now hold.
//
// Operations keep the first error and turn into no-ops after it (like
// bufio.Writer), so a scenario reads as a plain list of steps and checks
// w.Err() once at the end.
type World struct {
	s     *session.Session
	root  string
	conn  *dbus.Conn
	obj   dbus.BusObject
	Model *Model
	err   error

	// tag is the tree's tag after the last write; rotations counts how
	// often it changed (journal full, or the reference's 60 s timer).
	tag       uint32
	tagSeen   bool
	rotations int
}

func newWorld() (*World, error) {
	// Our own root, not the session's: Close of a session that owns its
	// root deletes it, and the flushed snapshot is read after Close.
	root, err := os.MkdirTemp("", "gvfsref")
	if err != nil {
		return nil, err
	}
	s, err := session.Start(session.Options{Daemon: session.ReferenceDaemon, Root: root})
	if err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	conn, err := s.Connect()
	if err != nil {
		s.Close()
		os.RemoveAll(root)
		return nil, err
	}
	return &World{
		s:     s,
		root:  root,
		conn:  conn,
		obj:   conn.Object(protocol.BusName, metadataPath),
		Model: NewModel(),
	}, nil
}

// Close ends the session (if still running) and deletes everything it made.
func (w *World) Close() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
	w.s.Close()
	os.RemoveAll(w.root)
}

func (w *World) Err() error { return w.err }

// fail records the first error; the rest of the scenario is skipped.
func (w *World) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// afterWrite notes a rotation the write may have caused: the reference
// rotates synchronously inside the call that found the journal full, so the
// tree's tag has changed by the time the call returns.
func (w *World) afterWrite() {
	tag, err := readTag(w.TreeFile())
	if errors.Is(err, fs.ErrNotExist) {
		return // a Move or Remove before any Set need not create the tree
	}
	if err != nil {
		w.fail(err)
		return
	}
	if w.tagSeen && tag != w.tag {
		w.rotations++
	}
	w.tag, w.tagSeen = tag, true
}

// Rotations is how often the reference rotated the tree so far.
func (w *World) Rotations() int { return w.rotations }

// DataDir is where the reference keeps the trees and journals.
func (w *World) DataDir() string { return filepath.Join(w.s.DataHome, "gvfs-metadata") }

// TreeFile is the "home" tree's full path, the treefile argument GIO
// clients send.
func (w *World) TreeFile() string { return filepath.Join(w.DataDir(), "home") }

// Disk maps a tree path ("/" is HOME) to its file on disk.
func (w *World) Disk(path string) string {
	if path == "/" {
		return w.s.Home
	}
	return w.s.Home + path
}

// Touch creates empty files (and their parents): gio refuses to set
// metadata on a file that does not exist.
func (w *World) Touch(paths ...string) {
	for _, p := range paths {
		if w.err != nil {
			return
		}
		disk := w.Disk(p)
		if err := os.MkdirAll(filepath.Dir(disk), 0o755); err != nil {
			w.fail(err)
			return
		}
		if err := os.WriteFile(disk, nil, 0o644); err != nil {
			w.fail(err)
		}
	}
}

// Mkdir creates directories (and their parents).
func (w *World) Mkdir(paths ...string) {
	for _, p := range paths {
		if w.err == nil {
			if err := os.MkdirAll(w.Disk(p), 0o755); err != nil {
				w.fail(err)
			}
		}
	}
}

// StopAndFlush ends the session the way a logout does: the bus goes away,
// and the reference merges its journal into the tree before it exits. It
// returns once the daemon has exited, so the files are final.
func (w *World) StopAndFlush() error {
	if w.err != nil {
		return w.err
	}
	pid, err := w.s.NameOwnerPID(protocol.BusName)
	if err != nil {
		return fmt.Errorf("find the reference daemon: %w", err)
	}
	w.conn.Close()
	w.conn = nil
	w.s.Close()
	if err := session.WaitExit(pid, 20*time.Second); err != nil {
		return fmt.Errorf("reference daemon did not exit after the bus closed: %w", err)
	}
	return nil
}
