// SPDX-License-Identifier: LGPL-2.0-or-later

package session

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Options choose the metadata daemon a session activates.
type Options struct {
	// Daemon is the metadata daemon's executable; ReferenceDaemon when empty.
	Daemon string
	// DaemonArgs are extra arguments for its activation line.
	DaemonArgs []string
	// DaemonEnv are extra VAR=value settings for the daemon only.
	DaemonEnv []string
	// Root is the directory to create the session under; a new temporary
	// directory when empty.
	Root string
	// DataHome, when set, is the session's XDG_DATA_HOME instead of one
	// under its HOME: two sessions of one user share it.
	DataHome string
	// ServiceFile, when set, is an org.gtk.vfs.Metadata.service file to
	// activate the daemon with instead of one made from Daemon (to test an
	// installed activation file).
	ServiceFile string
}

// Session is a private session bus with its own HOME, XDG_DATA_HOME and
// XDG_RUNTIME_DIR.
type Session struct {
	Root       string
	Home       string
	DataHome   string
	RuntimeDir string
	Address    string
	opts       Options
	bus        *exec.Cmd
	ownsRoot   bool
}

// Start creates the directories, writes the bus configuration and the
// activation files, and starts dbus-daemon.
func Start(opts Options) (*Session, error) {
	if opts.Daemon == "" {
		opts.Daemon = ReferenceDaemon
	}
	s := &Session{opts: opts, Root: opts.Root}
	if s.Root == "" {
		// Short, because the bus socket path must fit in sun_path.
		dir, err := os.MkdirTemp("", "gvfsbus")
		if err != nil {
			return nil, err
		}
		s.Root, s.ownsRoot = dir, true
	}
	s.Home = filepath.Join(s.Root, "home")
	s.DataHome = filepath.Join(s.Home, ".local", "share")
	if opts.DataHome != "" {
		s.DataHome = opts.DataHome
	}
	s.RuntimeDir = filepath.Join(s.Root, "run")
	services := filepath.Join(s.Root, "services")
	for _, d := range []string{s.Home, s.DataHome, s.RuntimeDir, services} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	if err := os.Chmod(s.RuntimeDir, 0o700); err != nil {
		return nil, err
	}
	if err := s.writeServices(services); err != nil {
		return nil, err
	}
	conf := filepath.Join(s.Root, "bus.conf")
	if err := os.WriteFile(conf, []byte(busConfig(filepath.Join(s.RuntimeDir, "bus"), services)), 0o600); err != nil {
		return nil, err
	}
	if err := s.startBus(conf); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Session) writeServices(dir string) error {
	exe := s.opts.Daemon
	if len(s.opts.DaemonEnv) > 0 {
		exe = "/usr/bin/env " + strings.Join(s.opts.DaemonEnv, " ") + " " + exe
	}
	line := strings.Join(append([]string{exe}, s.opts.DaemonArgs...), " ")
	files := map[string]string{
		"org.gtk.vfs.Metadata.service": "[D-BUS Service]\nName=org.gtk.vfs.Metadata\nExec=" + line + "\n",
		"org.gtk.vfs.Daemon.service":   "[D-BUS Service]\nName=org.gtk.vfs.Daemon\nExec=" + GvfsDaemon + "\n",
	}
	if s.opts.ServiceFile != "" {
		b, err := os.ReadFile(s.opts.ServiceFile)
		if err != nil {
			return err
		}
		files["org.gtk.vfs.Metadata.service"] = string(b)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func busConfig(socket, services string) string {
	return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=` + socket + `</listen>
  <servicedir>` + services + `</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <!-- Debian's session.conf: the built-in 128 would refuse a burst of
       calls sent without waiting that a desktop's bus takes, and the
       built-in sizes would refuse messages a desktop's bus forwards. -->
  <limit name="max_replies_per_connection">50000</limit>
  <limit name="max_incoming_bytes">1000000000</limit>
  <limit name="max_outgoing_bytes">1000000000</limit>
  <limit name="max_message_size">1000000000</limit>
</busconfig>
`
}

func (s *Session) startBus(conf string) error {
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address=1")
	cmd.Env = s.baseEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start dbus-daemon: %w", err)
	}
	s.bus = cmd
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case a := <-addr:
		if a == "" {
			return fmt.Errorf("dbus-daemon printed no address: %s", stderr.String())
		}
		s.Address = a
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("dbus-daemon did not start: %s", stderr.String())
	}
}

func (s *Session) baseEnv() []string {
	env := []string{
		"HOME=" + s.Home,
		"XDG_DATA_HOME=" + s.DataHome,
		"XDG_CONFIG_HOME=" + filepath.Join(s.Home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(s.Home, ".cache"),
		"XDG_RUNTIME_DIR=" + s.RuntimeDir,
		"LC_ALL=C.UTF-8",
		"PATH=" + os.Getenv("PATH"),
	}
	if v := os.Getenv("GOCOVERDIR"); v != "" {
		env = append(env, "GOCOVERDIR="+v)
	}
	return env
}

// Env is the environment for programs that act inside the session.
func (s *Session) Env() []string {
	return append(s.baseEnv(), "DBUS_SESSION_BUS_ADDRESS="+s.Address)
}

// Command prepares a program to run inside the session.
func (s *Session) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = s.Env()
	cmd.Dir = s.Home
	return cmd
}

// Run runs a program inside the session with a time limit and returns its
// output streams.
func (s *Session) Run(name string, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := s.Command(ctx, name, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	if err != nil {
		err = fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, e.String())
	}
	return o.String(), e.String(), err
}

// Gio runs the gio tool inside the session.
func (s *Session) Gio(args ...string) (stdout, stderr string, err error) {
	return s.Run("gio", args...)
}

// BusPID is the process id of the session's dbus-daemon (0 once stopped).
func (s *Session) BusPID() int {
	if s.bus == nil || s.bus.Process == nil {
		return 0
	}
	return s.bus.Process.Pid
}

// Close stops the bus and removes the session's directories.
func (s *Session) Close() {
	s.StopBus()
	if s.ownsRoot {
		_ = os.RemoveAll(s.Root)
	}
}

// StopBus stops the bus and keeps the files. Activated services see their
// connection close and exit on their own; whatever is left after a grace
// period is killed.
func (s *Session) StopBus() {
	if s.bus != nil && s.bus.Process != nil {
		pgid := s.bus.Process.Pid
		_ = s.bus.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = s.bus.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
		}
		s.bus = nil
	}
}
