// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gvfs-metadata/format"
)

func init() {
	register("gc", "find (and with --apply remove) metadata of files that no longer exist", runGC)
}

func runGC(args []string, stdout, stderr io.Writer) int {
	flags := newFlags("gc", "[--apply] TREEFILE",
		"List the entries of the home or root tree whose file no longer exists\n"+
			"(deleted outside GIO, so the daemon was never told). With --apply, remove\n"+
			"them through the daemon (Remove calls, as applications make); the tree is\n"+
			"never rewritten behind the daemon's back. It trusts the file system as it\n"+
			"is now: mount whatever holds files you want to keep metadata for first,\n"+
			"and carry the metadata of files moved outside a file manager to their new\n"+
			"names with 'gvfs-meta mv --metadata-only OLD NEW'.",
		"gvfs-meta gc ~/.local/share/gvfs-metadata/home\n"+
			"gvfs-meta gc --apply ~/.local/share/gvfs-metadata/home", stderr)
	apply := flags.Bool("apply", false, "remove what is listed")
	if stop, status := parseCommand(flags, args, stdout, operands{1, 1, "one TREEFILE"}); stop {
		return status
	}
	treefile, err := filepath.Abs(flags.Arg(0))
	if err != nil {
		return fail(stderr, "gc", err)
	}
	var daemon lazyClient
	defer daemon.close()
	r, err := newResolver(&daemon)
	if err != nil {
		return fail(stderr, "gc", err)
	}
	var onDisk func(path string) string
	switch filepath.Base(treefile) {
	case "home":
		home := r.HomeExpanded()
		onDisk = func(p string) string { return strings.TrimRight(home, "/") + p }
	case "root":
		onDisk = func(p string) string { return p }
	default:
		return fail(stderr, "gc", fmt.Errorf("%s: only the home and root trees map to files gc can check (a volume's tree may belong to a volume that is not mounted)", treefile))
	}
	s, err := openTree(treefile)
	if err != nil {
		return fail(stderr, "gc", err)
	}
	root, _, err := s.Merged()
	s.Close()
	if err != nil {
		return fail(stderr, "gc", err)
	}
	gone, err := missingEntries(root, onDisk, newProgress(stderr, "checking", 0))
	if err != nil {
		return fail(stderr, "gc", err)
	}
	keys := 0
	for _, g := range gone {
		for _, p := range g.withKeys {
			fmt.Fprintln(stdout, quotePath(p))
		}
		keys += len(g.withKeys)
	}
	if !*apply {
		fmt.Fprintf(stdout, "%d entries with metadata belong to files that no longer exist; run with --apply to remove them\n", keys)
		if keys > 0 {
			fmt.Fprintln(stderr, "A file moved or copied outside a file manager (mv, cp, rsync) leaves its metadata behind;\n"+
				"'gvfs-meta mv --metadata-only OLD NEW' carries it to the new name before --apply removes it.")
		}
		return exitOK
	}
	c, err := daemon.get()
	if err != nil {
		return fail(stderr, "gc", err)
	}
	prog := newProgress(stderr, "removing", len(gone))
	for i, g := range gone {
		if err := c.Remove(treefile, g.top); err != nil {
			prog.done()
			return fail(stderr, "gc", fmt.Errorf("%s %s: %w", treefile, g.top, err))
		}
		prog.update(i + 1)
	}
	prog.done()
	fmt.Fprintf(stdout, "removed %d entries with metadata (%d Remove calls)\n", keys, len(gone))
	return exitOK
}

// missing is a path whose file is gone, with the entries under it (itself
// included) that hold keys.
type missing struct {
	top      string
	withKeys []string
}

// missingEntries finds the topmost entries whose files do not exist and
// that hold keys at or below them. Only "does not exist" counts: any other
// error (permissions, a hung network file system) keeps the entry.
func missingEntries(root *format.Node, onDisk func(string) string, prog *progress) ([]missing, error) {
	var out []missing
	checked := 0
	var walk func(n *format.Node, path string)
	walk = func(n *format.Node, path string) {
		if path != "/" {
			checked++
			prog.update(checked)
			_, err := os.Lstat(onDisk(path))
			if errors.Is(err, fs.ErrNotExist) {
				var keyed []string
				collectKeyed(n, path, &keyed)
				if len(keyed) > 0 {
					out = append(out, missing{path, keyed})
				}
				return
			}
		}
		for _, c := range n.Children {
			walk(c, strings.TrimSuffix(path, "/")+"/"+c.Name)
		}
	}
	walk(root, "/")
	prog.done()
	return out, nil
}

func collectKeyed(n *format.Node, path string, out *[]string) {
	if len(n.Keys) > 0 {
		*out = append(*out, path)
	}
	for _, c := range n.Children {
		collectKeyed(c, strings.TrimSuffix(path, "/")+"/"+c.Name, out)
	}
}
