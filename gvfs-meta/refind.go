// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"gvfs-metadata/compat/client"
)

func init() {
	register("refind", "find files moved out of sight and carry their metadata to them", runRefind)
}

func runRefind(args []string, stdout, stderr io.Writer) int {
	flags := newFlags("refind", "[DIR...]",
		"Have the daemon look below each DIR (the home directory when none is\n"+
			"given), on its file system, for the files of entries whose file is missing\n"+
			"(moved without GIO to a directory the daemon does not watch, or while it\n"+
			"did not run), and move their metadata to them. A file is taken only when\n"+
			"it is certainly the same (its device, inode and birth time, which the\n"+
			"daemon recorded), never a look-alike; nothing is removed. 'gvfs-meta\n"+
			"status' shows how many entries are left unfound. Needs this daemon, with\n"+
			"following on.",
		"gvfs-meta refind\n"+
			"gvfs-meta refind ~/Archive /srv/photos", stderr)
	if stop, status := parseCommand(flags, args, stdout, operands{0, -1, "any number of DIRs"}); stop {
		return status
	}
	dirs := flags.Args()
	if len(dirs) == 0 {
		r, err := newResolver(&lazyClient{})
		if err != nil {
			return fail(stderr, "refind", err)
		}
		dirs = []string{r.HomeExpanded()}
	}
	for i, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return fail(stderr, "refind", err)
		}
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			return fail(stderr, "refind", err)
		}
		dirs[i] = abs
	}
	c, err := client.Connect()
	if err != nil {
		return fail(stderr, "refind", err)
	}
	defer c.Close()
	found, err := c.Refind(dirs)
	if errors.Is(err, client.ErrNoFollowing) {
		return fail(stderr, "refind", fmt.Errorf("%w (the C daemon, or this one with --no-follow)", err))
	}
	if err != nil {
		return fail(stderr, "refind", err)
	}
	fmt.Fprintf(stdout, "%d found again; their metadata moved to them\n", found)
	return exitOK
}
