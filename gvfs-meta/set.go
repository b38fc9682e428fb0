// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gvfs-metadata/compat/client"
)

func init() {
	register("set", "set a key of a file (through the daemon, like gio set)", runSet)
	register("unset", "remove a key of a file (through the daemon)", runUnset)
}

func runSet(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("set", "[--list] FILE KEY VALUE...",
		"Set KEY of FILE through the metadata daemon, as applications do. One VALUE\n"+
			"sets a string; several set a list (use --list for a list of one item).",
		"gvfs-meta set ~/Pictures/holiday.jpg annotation 'Beach, 2024'\n"+
			"gvfs-meta set ~/Pictures/holiday.jpg emblems emblem-favorite emblem-photos", stderr)
	list := fs.Bool("list", false, "store the values as a list even if there is one")
	if stop, status := parseCommand(fs, args, stdout, operands{3, -1, "FILE KEY VALUE..."}); stop {
		return status
	}
	var value any = fs.Arg(2)
	if *list || fs.NArg() > 3 {
		value = fs.Args()[2:]
	}
	return writeKey("set", fs.Arg(0), fs.Arg(1), value, stderr)
}

func runUnset(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("unset", "FILE KEY",
		"Remove KEY from FILE's metadata through the metadata daemon.",
		"gvfs-meta unset ~/Pictures/holiday.jpg emblems", stderr)
	if stop, status := parseCommand(fs, args, stdout, operands{2, 2, "FILE KEY"}); stop {
		return status
	}
	return writeKey("unset", fs.Arg(0), fs.Arg(1), client.Unset, stderr)
}

// metadataKey is the key a user typed, without the "metadata::" that gio
// shows before every key (the daemon's keys have no namespace).
func metadataKey(typed string) string { return strings.TrimPrefix(typed, "metadata::") }

// writeKey sends one key to the daemon for an existing file, as gio set
// does (which refuses files that do not exist).
func writeKey(cmd, file, key string, value any, stderr io.Writer) int {
	abs, _ := filepath.Abs(file)
	if _, err := os.Lstat(abs); err != nil {
		return fail(stderr, cmd, err)
	}
	var daemon lazyClient
	defer daemon.close()
	r, err := newResolver(&daemon)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	loc := r.Resolve(abs)
	c, err := daemon.get()
	if err != nil {
		return fail(stderr, cmd, err)
	}
	if err := c.Set(loc.TreeFile, loc.Path, map[string]any{metadataKey(key): value}); err != nil {
		return fail(stderr, cmd, fmt.Errorf("%s: %w", file, err))
	}
	return exitOK
}
