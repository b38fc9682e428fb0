// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"gvfs-metadata/bus"
	"gvfs-metadata/compat/protocol"
	"gvfs-metadata/internal/session"
)

// Daemon is one of the two daemons under comparison.
type Daemon struct {
	Name string // "reference" or "ours"
	Path string
}

// callTimeout bounds one D-Bus call, so that a hung daemon ends the run
// with an error instead of hanging it.
const callTimeout = 5 * time.Minute

// World is one private desktop session: its own bus, HOME and data
// directory holding a copy of a template tree, and a daemon activated by
// D-Bus on the first call, as on a desktop.
type World struct {
	D          Daemon
	S          *session.Session
	Tree       string // the tree file, as clients name it
	ReadersDir string // the directory gio lists; "" when not created
	PID        int    // the daemon, once activated
	conn       *bus.Conn
	watch      *TreeWatch
	serial     int // makes every Set path of this world distinct
	tmplSize   int
	nFiles     int // files in ReadersDir, each with metadata in the tree
}

// NewWorld starts a session, installs the template tree and, with files,
// creates the readers' directory. No daemon runs until the first call;
// env are VAR=value settings for the daemon.
func NewWorld(d Daemon, t *Template, files bool, env ...string) (*World, error) {
	s, err := session.Start(session.Options{Daemon: d.Path, DaemonEnv: env})
	if err != nil {
		return nil, err
	}
	w := &World{D: d, S: s, Tree: filepath.Join(s.DataHome, "gvfs-metadata", "home"), tmplSize: t.Size, nFiles: t.Files}
	if err := t.Install(s.DataHome); err != nil {
		w.Close()
		return nil, err
	}
	if files {
		if w.ReadersDir, err = t.CreateFiles(s.Home); err != nil {
			w.Close()
			return nil, err
		}
	}
	if w.watch, err = WatchTree(filepath.Dir(w.Tree), filepath.Base(w.Tree)); err != nil {
		w.Close()
		return nil, err
	}
	if w.conn, err = w.Connect(); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// Conn is the world's main client connection.
func (w *World) Conn() *bus.Conn { return w.conn }

// Connect opens another client connection to the world's bus.
//
// The benchmark's clients speak D-Bus through package bus rather than
// godbus: a client's own cost per call lands on the same two cores as
// the bus and the daemon, and godbus, encoding by reflection, spends
// more on a Set than on a Ping. That difference would count against
// every daemon's Set/Ping ratio although no daemon causes it; with the
// lean client the floor daemon's ratio comes close to 1.
func (w *World) Connect() (*bus.Conn, error) {
	c, err := bus.Connect(w.S.Address, bus.Handlers{})
	if err != nil {
		return nil, fmt.Errorf("connect to session bus %s: %w", w.S.Address, err)
	}
	return c, nil
}

// Activate makes the first call, a Set, which starts the daemon and has it
// open the tree, and returns how long the reply took.
func (w *World) Activate() (time.Duration, error) {
	start := time.Now()
	if err := w.Set(w.conn, w.NewPath("first")); err != nil {
		return 0, fmt.Errorf("%s: first Set: %w", w.D.Name, err)
	}
	took := time.Since(start)
	pid, err := w.S.NameOwnerPID(protocol.BusName)
	if err != nil {
		return 0, err
	}
	w.PID = pid
	return took, nil
}

// NewPath returns a path that is not in the tree and was never written in
// this world: a new file in one of the existing /bench directories.
func (w *World) NewPath(tag string) string {
	w.serial++
	return newPath(w.tmplSize, tag, w.serial)
}

func newPath(size int, tag string, n int) string {
	return fmt.Sprintf("/bench/%s/%s%07d.jpg", benchDir(n%benchDirs(size)), tag, n)
}

// Set sets the benchmark key of path on conn, as GIO does (byte strings
// with their trailing NUL).
func (w *World) Set(conn *bus.Conn, path string) error {
	_, err := conn.CallWithin(callTimeout, protocol.BusName, protocol.ObjectPath, protocol.Interface, "Set", "ayaya{sv}", setArgs(w.Tree, path))
	return err
}

// setArgs encodes Set's arguments: the tree, the path and one string.
func setArgs(tree, path string) []byte {
	var e bus.Encoder
	e.ByteArray(bytestring(tree))
	e.ByteArray(bytestring(path))
	data := e.Array(8)
	e.Struct()
	e.Str(benchKey)
	e.Signature("s")
	e.Str(benchValue)
	e.EndArray(data)
	return e.Bytes()
}

// Ping calls org.freedesktop.DBus.Peer.Ping on the daemon: the round trip
// through the bus with no work behind it.
func (w *World) Ping(conn *bus.Conn) error {
	_, err := conn.CallWithin(callTimeout, protocol.BusName, protocol.ObjectPath, "org.freedesktop.DBus.Peer", "Ping", "", nil)
	return err
}

func bytestring(s string) []byte { return append([]byte(s), 0) }

// Close kills the daemon (its journal does not matter any more, and a
// flush of a big tree would steal the CPU from the next world), waits
// for it to be gone, then stops the bus and removes everything.
func (w *World) Close() {
	if w.watch != nil {
		w.watch.Close()
	}
	if w.conn != nil {
		w.conn.Close()
	}
	if w.S != nil {
		// Ask the bus rather than trusting w.PID: a daemon that flushed and
		// exited may have left its pid to an unrelated process.
		if pid, err := w.S.NameOwnerPID(protocol.BusName); err == nil && pid > 0 && pid != os.Getpid() {
			if err := syscall.Kill(pid, syscall.SIGKILL); err == nil {
				_ = session.WaitExit(pid, 30*time.Second)
			}
		}
	}
	if w.S != nil {
		w.S.Close()
	}
}
