// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"io"

	"gvfs-metadata/store"
)

func init() {
	register("salvage", "copy what is readable from a damaged tree into a new one", runSalvage)
}

func runSalvage(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("salvage", "TREEFILE --out NEWFILE",
		"Read everything still readable from a damaged TREEFILE and its journal\n"+
			"(every entry reachable through sound blocks, then every valid journal\n"+
			"entry) and write it as a new, valid tree NEWFILE with an empty journal.\n"+
			"Reports what could not be read. The damaged files are not changed; stop\n"+
			"the daemon, then move NEWFILE (and its journal) into place to use it.",
		"gvfs-meta salvage ~/.local/share/gvfs-metadata/home --out /tmp/gvfs-metadata/home", stderr)
	out := fs.String("out", "", "the new tree file to write (must not exist)")
	if stop, status := parseCommand(fs, args, stdout, operands{1, 1, "TREEFILE"}); stop {
		return status
	}
	if *out == "" {
		return usageError(fs, "expected --out NEWFILE")
	}
	prog := newProgress(stderr, "salvage: reading "+fs.Arg(0), 0)
	prog.update(0)
	root, rep, err := store.Salvage(fs.Arg(0), nil)
	prog.done()
	if err != nil {
		return fail(stderr, "salvage", err)
	}
	keys := 0
	entries := 0
	visitNodes(root, func(n int) { entries++; keys += n })
	prog = newProgress(stderr, "salvage: writing "+*out, entries)
	prog.update(entries)
	s, err := store.Create(*out, root, store.Options{})
	prog.done()
	if err != nil {
		return fail(stderr, "salvage", err)
	}
	s.Close()
	switch {
	case rep.TreeError != nil:
		fmt.Fprintf(stdout, "tree: unreadable, nothing kept from it: %v\n", rep.TreeError)
	case rep.Damage.Count > 0:
		fmt.Fprintf(stdout, "tree: %d damaged parts skipped\n", rep.Damage.Count)
		for _, e := range rep.Damage.Errors {
			fmt.Fprintf(stdout, "  %v\n", e)
		}
		if rep.Damage.Count > len(rep.Damage.Errors) {
			fmt.Fprintf(stdout, "  ... and %d more\n", rep.Damage.Count-len(rep.Damage.Errors))
		}
	default:
		fmt.Fprintln(stdout, "tree: read whole")
	}
	if rep.JournalPath != "" {
		fmt.Fprintf(stdout, "journal: %d entries applied from %s\n", rep.JournalApplied, rep.JournalPath)
	}
	if rep.JournalError != nil {
		fmt.Fprintf(stdout, "journal: %v\n", rep.JournalError)
	}
	fmt.Fprintf(stdout, "wrote %s: %d entries, %d keys\n", *out, entries, keys)
	return exitOK
}
