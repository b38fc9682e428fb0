package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/compat/client"
	"gvfs-metadata/compat/session"
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
	conn       *dbus.Conn
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
	if w.conn, err = s.Connect(); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// Conn is the world's main client connection.
func (w *World) Conn() *dbus.Conn { return w.conn }

// Activate makes the first call, a Set, which starts the daemon and has it
// open the tree, and returns how long the reply took.
func (w *World) Activate() (time.Duration, error) {
	start := time.Now()
	if err := w.Set(w.conn, w.NewPath("first")); err != nil {
		return 0, fmt.Errorf("%s: first Set: %w", w.D.Name, err)
	}
	took := time.Since(start)
	pid, err := w.S.NameOwnerPID(client.BusName)
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
func (w *World) Set(conn *dbus.Conn, path string) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	data := map[string]dbus.Variant{benchKey: dbus.MakeVariant("112,208")}
	return conn.Object(client.BusName, client.ObjectPath).CallWithContext(ctx,
		client.Interface+".Set", 0, bytestring(w.Tree), bytestring(path), data).Err
}

// Ping calls org.freedesktop.DBus.Peer.Ping on the daemon: the round trip
// through the bus with no work behind it.
func (w *World) Ping(conn *dbus.Conn) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	return conn.Object(client.BusName, client.ObjectPath).CallWithContext(ctx, "org.freedesktop.DBus.Peer.Ping", 0).Err
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
		if pid, err := w.S.NameOwnerPID(client.BusName); err == nil && pid > 0 && pid != os.Getpid() {
			if err := syscall.Kill(pid, syscall.SIGKILL); err == nil {
				_ = session.WaitExit(pid, 30*time.Second)
			}
		}
	}
	if w.S != nil {
		w.S.Close()
	}
}
