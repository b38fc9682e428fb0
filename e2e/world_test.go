// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/internal/gioinfo"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
)

// world is one private desktop session whose metadata daemon is either the
// reference or ours, with a client connection that records signals.
type world struct {
	t       *testing.T
	name    string
	s       *session.Session
	conn    *dbus.Conn
	mu      sync.Mutex
	signals []string
	// barrier, set for a daemon that follows renames, settles them.
	barrier *barrier
}

type daemonKind int

const (
	reference daemonKind = iota
	ours
)

func (k daemonKind) String() string {
	return map[daemonKind]string{reference: "reference", ours: "ours"}[k]
}

func newWorld(t *testing.T, kind daemonKind, args ...string) *world {
	t.Helper()
	return newWorldWith(t, kind, session.Options{DaemonArgs: args})
}

// newWorldWithEnv is a world of this daemon with extra VAR=value settings
// in its environment.
func newWorldWithEnv(t *testing.T, env []string) *world {
	t.Helper()
	return newWorldWith(t, ours, session.Options{DaemonEnv: env})
}

func newWorldWith(t *testing.T, kind daemonKind, opts session.Options) *world {
	t.Helper()
	testenv.RequireSession(t)
	if kind == ours {
		opts.Daemon = ourDaemon
	}
	s, err := session.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, name: kind.String(), s: s}
	t.Cleanup(w.close)
	conn, err := s.Connect()
	if err != nil {
		t.Fatal(err)
	}
	w.conn = conn
	if err := conn.AddMatchSignal(dbus.WithMatchInterface("org.gtk.vfs.Metadata"), dbus.WithMatchMember("AttributeChanged")); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *dbus.Signal, 1024)
	conn.Signal(ch)
	go func() {
		for sig := range ch {
			if sig.Name != "org.gtk.vfs.Metadata.AttributeChanged" || len(sig.Body) != 2 {
				continue
			}
			tree, _ := sig.Body[0].(string)
			path, _ := sig.Body[1].(string)
			w.mu.Lock()
			w.signals = append(w.signals, strings.TrimPrefix(tree, s.DataHome)+" "+path)
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *world) close() {
	if w.conn != nil {
		w.conn.Close()
	}
	w.s.Close()
}

// treefile is the home tree's path, as clients name it.
func (w *world) treefile() string { return filepath.Join(w.s.DataHome, "gvfs-metadata", "home") }

func (w *world) home(rel string) string { return filepath.Join(w.s.Home, rel) }

// files creates empty files (and their directories) under HOME.
func (w *world) files(rels ...string) {
	for _, r := range rels {
		p := w.home(r)
		if strings.HasSuffix(r, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				w.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
}

// gio runs gio with HOME-relative paths marked by a leading "~/".
func (w *world) gio(args ...string) (string, error) {
	for i, a := range args {
		if rest, ok := strings.CutPrefix(a, "~/"); ok {
			args[i] = w.home(rest)
		}
	}
	out, _, err := w.s.Gio(args...)
	return out, err
}

func (w *world) mustGio(args ...string) {
	w.t.Helper()
	if _, err := w.gio(args...); err != nil {
		w.t.Fatalf("%s: %v", w.name, err)
	}
}

// info returns what gio info shows for HOME-relative files.
func (w *world) info(rels ...string) []gioinfo.Metadata {
	w.t.Helper()
	paths := make([]string, len(rels))
	for i, r := range rels {
		paths[i] = w.home(r)
	}
	md, err := gioinfo.Query(w.s, paths...)
	if err != nil {
		w.t.Fatalf("%s: %v", w.name, err)
	}
	return md
}

// call makes a D-Bus call to the metadata daemon with byte-string
// arguments the way GLib sends them (with a trailing NUL).
func (w *world) call(method string, args ...any) error {
	return w.conn.Object("org.gtk.vfs.Metadata", "/org/gtk/vfs/metadata").Call("org.gtk.vfs.Metadata."+method, 0, args...).Err
}

func bs(s string) []byte { return append([]byte(s), 0) }

// metadataClient connects a client of its own to s's bus, as another
// application would, and returns the metadata daemon's object on it and
// the connection, for the caller to close. Call it from the test's
// goroutine.
func metadataClient(t testing.TB, s *session.Session) (dbus.BusObject, *dbus.Conn) {
	t.Helper()
	conn, err := s.Connect()
	if err != nil {
		t.Fatal(err)
	}
	return conn.Object("org.gtk.vfs.Metadata", "/org/gtk/vfs/metadata"), conn
}

// settleSignals waits for pending AttributeChanged signals and returns
// them, sorted (their timing is not ordered across paths). The reference
// emits through GLib's whole-second timers, which may fire up to a second
// late on a busy machine, so it waits until no signal came for a while.
func (w *world) settleSignals() []string {
	count := func() int {
		w.mu.Lock()
		defer w.mu.Unlock()
		return len(w.signals)
	}
	time.Sleep(2500 * time.Millisecond)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		before := count()
		time.Sleep(time.Second)
		if count() == before {
			break
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	out := append([]string(nil), w.signals...)
	w.signals = nil
	sort.Strings(out)
	return out
}

// daemonPID is the process id of whoever owns the metadata name.
func (w *world) daemonPID() int {
	w.t.Helper()
	pid, err := w.s.NameOwnerPID("org.gtk.vfs.Metadata")
	if err != nil {
		w.t.Fatal(err)
	}
	return pid
}

// start runs a metadata daemon directly (not through activation) inside
// the world's session, and waits until it owns the name.
func (w *world) start(daemon string, args ...string) *exec.Cmd {
	w.t.Helper()
	return w.startWithEnv(nil, daemon, args...)
}

// startWithEnv is start with extra VAR=value settings for the daemon.
func (w *world) startWithEnv(env []string, daemon string, args ...string) *exec.Cmd {
	w.t.Helper()
	cmd := exec.Command(daemon, args...)
	cmd.Env = append(w.s.Env(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if w.t.Failed() && stderr.Len() > 0 {
			out := stderr.String()
			if len(out) > 4000 {
				out = "..." + out[len(out)-4000:]
			}
			w.t.Logf("%s said: %s", daemon, out)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if pid, err := w.s.NameOwnerPID("org.gtk.vfs.Metadata"); err == nil && pid == cmd.Process.Pid {
			return cmd
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.t.Fatalf("%s did not take the name: %s", daemon, stderr.String())
	return nil
}

// exitCode waits for a daemon started with start to end.
func exitCode(t *testing.T, cmd *exec.Cmd, within time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("%s still running after %v", cmd.Path, within)
		return -1
	}
}

// launch starts a program in the session without waiting for anything.
func launch(t *testing.T, w *world, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = w.s.Env()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}
