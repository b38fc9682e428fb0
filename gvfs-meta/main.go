// SPDX-License-Identifier: LGPL-2.0-or-later

// Command gvfs-meta inspects, checks, repairs and moves GNOME metadata
// (the files under ~/.local/share/gvfs-metadata that gvfsd-metadata writes
// and every GIO application reads).
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"gvfs-metadata/internal/version"
)

// Exit statuses shared by every subcommand.
const (
	exitOK       = 0
	exitProblems = 1 // the command failed or found problems
	exitUsage    = 2
	// exitNoFile is gio info's status for a file that does not exist,
	// which get keeps so that scripts can swap one for the other.
	exitNoFile = 2
)

// command is one subcommand.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands holds every subcommand; each registers itself from its own
// file with register.
var commands = map[string]command{}

func register(name, summary string, run func(args []string, stdout, stderr io.Writer) int) {
	commands[name] = command{summary, run}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		usage(stderr)
		return exitUsage
	case args[0] == "-h" || args[0] == "--help":
		usage(stdout)
		return exitOK
	case args[0] == "--version" || args[0] == "-V":
		fmt.Fprintln(stdout, "gvfs-meta", version.String())
		return exitOK
	case args[0] == "help":
		return runHelp(args[1:], stdout, stderr)
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "gvfs-meta: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return cmd.run(args[1:], stdout, stderr)
}

// runHelp prints the general usage, or one command's help as its --help
// does.
func runHelp(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		usage(stdout)
		return exitOK
	case len(args) == 1 && args[0] == "--man":
		writeManPage(stdout)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok || len(args) > 1 {
		fmt.Fprintf(stderr, "gvfs-meta help: unknown command %q\n\n", strings.Join(args, " "))
		usage(stderr)
		return exitUsage
	}
	return cmd.run([]string{"--help"}, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: gvfs-meta COMMAND [OPTIONS] [ARGS]")
	fmt.Fprintln(w, "       gvfs-meta --version")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-16s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'gvfs-meta help COMMAND' for a command's options and an example;")
	fmt.Fprintln(w, "'gvfs-meta help --man' prints this manual as a man page.")
}

// fail prints an error prefixed with the command name and returns the
// "problems" exit status.
func fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "gvfs-meta %s: %v\n", cmd, err)
	return exitProblems
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}
