// SPDX-License-Identifier: LGPL-2.0-or-later

// Command demo runs gvfsd-metadata on a private session bus, activated by
// D-Bus exactly as on a desktop, and shows the real gio client writing and
// reading metadata through it. With -shell it then opens a shell inside
// that session to try things by hand.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"gvfs-metadata/compat/protocol"
	"gvfs-metadata/internal/session"
)

func main() {
	daemon := flag.String("daemon", "", "gvfsd-metadata binary to activate")
	tool := flag.String("gvfs-meta", "", "gvfs-meta binary")
	shell := flag.Bool("shell", false, "open a shell in the session after the demo")
	flag.Parse()
	if *daemon == "" || *tool == "" {
		fmt.Fprintln(os.Stderr, "usage: demo -daemon PATH -gvfs-meta PATH [-shell]")
		os.Exit(2)
	}
	if missing := session.Missing(); len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "demo: missing %v; run scripts/setup\n", missing)
		os.Exit(1)
	}
	s, err := session.Start(session.Options{Daemon: *daemon})
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
	defer s.Close()
	if err := demo(s, *tool); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		s.Close()
		os.Exit(1)
	}
	if *shell {
		openShell(s, *tool)
	}
}

func demo(s *session.Session, tool string) error {
	fmt.Printf("Private session bus %s\nHOME=%s\n\n", s.Address, s.Home)
	for _, f := range []string{"Photos/holiday.jpg", "Photos/notes.txt", "Music/song.ogg"} {
		p := filepath.Join(s.Home, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
	}
	h := func(rel string) string { return filepath.Join(s.Home, rel) }
	steps := [][]string{
		{"gio", "set", h("Photos/holiday.jpg"), "metadata::annotation", "Beach, 2024"},
		{"gio", "set", "-t", "stringv", h("Photos/holiday.jpg"), "metadata::emblems", "emblem-favorite", "emblem-photos"},
		{"gio", "set", h("Music/song.ogg"), "metadata::last-played-position", "93"},
		{"gio", "info", "-a", "metadata::*", h("Photos/holiday.jpg")},
		{"gio", "move", h("Photos"), h("Pictures")},
		{"gio", "info", "-a", "metadata::*", h("Pictures/holiday.jpg")},
		// A rename GIO is not told of: the daemon follows it a second later.
		{"mv", h("Music/song.ogg"), h("Music/track01.ogg")},
		{"sleep", "2"},
		{"gio", "info", "-a", "metadata::*", h("Music/track01.ogg")},
		{tool, "status"},
		{tool, "dump", filepath.Join(s.DataHome, "gvfs-metadata", "home")},
	}
	for _, step := range steps {
		fmt.Printf("$ %s\n", strings.Join(quoted(step), " "))
		out, errOut, err := s.Run(step[0], step[1:]...)
		fmt.Print(out)
		if err != nil {
			return fmt.Errorf("%s", errOut)
		}
		fmt.Println()
	}
	pid, err := s.NameOwnerPID(protocol.BusName)
	if err != nil {
		return err
	}
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	fmt.Printf("org.gtk.vfs.Metadata is served by pid %d: %s\n", pid, exe)
	return nil
}

func quoted(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " ,'") {
			a = "'" + a + "'"
		}
		out[i] = a
	}
	return out
}

func openShell(s *session.Session, tool string) {
	sh := os.Getenv("SHELL")
	if sh == "" {
		sh = "/bin/sh"
	}
	fmt.Printf("\nA shell in the private session (exit to stop the daemon and the bus); gvfs-meta is %s\n", tool)
	cmd := exec.Command(sh)
	cmd.Env = append(s.Env(), "PS1=(gvfs-metadata demo) $ ", "PATH="+filepath.Dir(tool)+":"+os.Getenv("PATH"))
	cmd.Dir = s.Home
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Run()
}
