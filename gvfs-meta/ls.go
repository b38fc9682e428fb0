// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

func init() {
	register("ls", "list the entries under a path of a tree", runLs)
}

func runLs(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("ls", "[-l] TREEFILE [DIR]",
		"List the children of DIR (default /) in TREEFILE as applications see them\n"+
			"(tree merged with its journal). With -l, also whether each has children\n"+
			"(c) and metadata (d), and when it last changed.",
		"gvfs-meta ls -l ~/.local/share/gvfs-metadata/home /Pictures", stderr)
	long := fs.Bool("l", false, "long listing")
	if stop, status := parseCommand(fs, args, stdout, operands{1, 2, "TREEFILE [DIR]"}); stop {
		return status
	}
	dir := "/"
	if fs.NArg() == 2 {
		dir = fs.Arg(1)
	}
	if !strings.HasPrefix(dir, "/") {
		return usageError(fs, "DIR is a path inside the tree and starts with /, as in 'gvfs-meta where' shows it (got %q)", dir)
	}
	s, err := openTree(fs.Arg(0))
	if err != nil {
		return fail(stderr, "ls", err)
	}
	defer s.Close()
	kids, err := s.Children(dir)
	if err != nil {
		return fail(stderr, "ls", err)
	}
	if len(kids) == 0 && dir != "/" {
		changed, _ := s.LastChanged(dir)
		if keys, _ := s.Keys(dir); changed == 0 && len(keys) == 0 {
			return fail(stderr, "ls", fmt.Errorf("%s: no entry %s", fs.Arg(0), quotePath(dir)))
		}
	}
	for _, c := range kids {
		if !*long {
			fmt.Fprintln(stdout, quotePath(c.Name))
			continue
		}
		flags := []byte("  ")
		if c.HasChildren {
			flags[0] = 'c'
		}
		if c.HasData {
			flags[1] = 'd'
		}
		changed := "-"
		if c.LastChanged != 0 {
			changed = time.Unix(c.LastChanged, 0).UTC().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(stdout, "%-24s %s  %s\n", quotePath(c.Name), flags, changed)
	}
	return exitOK
}
