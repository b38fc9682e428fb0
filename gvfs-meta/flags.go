// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"flag"
	"fmt"
	"io"
	"sync"
)

// commandDoc is a subcommand's help: what --help prints, and what the
// manual page and the shell completions are made from.
type commandDoc struct {
	name, synopsis, description, example string
	flags                                *flag.FlagSet
}

var (
	docsMu sync.Mutex
	docs   = map[string]commandDoc{}
)

// docOf returns a command's help, which its flag set records when the
// command runs (here with --help, printing nothing).
func docOf(name string) commandDoc {
	commands[name].run([]string{"--help"}, io.Discard, io.Discard)
	docsMu.Lock()
	defer docsMu.Unlock()
	return docs[name]
}

// newFlags makes a subcommand's flag set whose --help shows the synopsis,
// a description, the options and an example.
func newFlags(name, synopsis, description, example string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("gvfs-meta "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	docsMu.Lock()
	docs[name] = commandDoc{name, synopsis, description, example, fs}
	docsMu.Unlock()
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: gvfs-meta %s %s\n\n%s\n", name, synopsis, description)
		fmt.Fprintln(out, "\nOptions:")
		fs.PrintDefaults()
		fmt.Fprintf(out, "\nExample:\n%s", indent(example))
	}
	return fs
}

// parseFlags parses args, options anywhere among the operands until "--",
// and reports the exit status to return when the command should stop:
// --help (0) or a usage error (2).
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (stop bool, status int) {
	args = flagsFirst(fs, args)
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(stdout)
			fs.Usage()
			return true, exitOK
		}
		if a == "--" {
			break
		}
	}
	if err := fs.Parse(args); err != nil {
		return true, exitUsage
	}
	return false, exitOK
}

// operands is how many operands a command takes (max < 0: no limit) and
// how its usage error names them.
type operands struct {
	min, max int
	names    string
}

// parseCommand is parseFlags followed by the check of the operand count,
// the start of every command.
func parseCommand(fs *flag.FlagSet, args []string, stdout io.Writer, want operands) (stop bool, status int) {
	if stop, status := parseFlags(fs, args, stdout); stop {
		return true, status
	}
	if n := fs.NArg(); n < want.min || (want.max >= 0 && n > want.max) {
		return true, usageError(fs, "expected %s, got %d arguments", want.names, n)
	}
	return false, exitOK
}

// usageError reports a wrong invocation and returns the usage status.
func usageError(fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fmt.Fprintf(fs.Output(), "Run '%s --help' for usage.\n", fs.Name())
	return exitUsage
}
