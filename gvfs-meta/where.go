// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func init() {
	register("where", "show which tree file and path hold a file's metadata", runWhere)
}

func runWhere(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("where", "[--json] FILE...",
		"Show where applications keep each FILE's metadata: the tree file and the\n"+
			"path inside it, computed as the GIO client computes it (canonical path,\n"+
			"parents' symlinks expanded, the home tree for files under the home\n"+
			"directory, a volume's own tree on removable media, the root tree otherwise).",
		"gvfs-meta where ~/Pictures/holiday.jpg /media/usb/notes.txt", stderr)
	asJSON := fs.Bool("json", false, "print a JSON array of {file, tree, treefile, path}")
	if stop, status := parseCommand(fs, args, stdout, operands{1, -1, "FILE..."}); stop {
		return status
	}
	var daemon lazyClient
	defer daemon.close()
	r, err := newResolver(&daemon)
	if err != nil {
		return fail(stderr, "where", err)
	}
	type result struct {
		File     string `json:"file"`
		Tree     string `json:"tree"`
		TreeFile string `json:"treefile"`
		Path     string `json:"path"`
	}
	var results []result
	for _, f := range fs.Args() {
		abs, _ := filepath.Abs(f)
		if _, err := os.Lstat(abs); err != nil {
			// Metadata can outlive its file (see gc), so where still
			// answers, as applications would locate the file.
			fmt.Fprintf(stderr, "gvfs-meta where: %s: %v; shown where its metadata would be\n", f, errors.Unwrap(err))
		}
		loc := r.Resolve(abs)
		results = append(results, result{f, loc.Tree, loc.TreeFile, loc.Path})
	}
	if *asJSON {
		b, _ := json.MarshalIndent(results, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	for _, res := range results {
		fmt.Fprintf(stdout, "%s\n  tree: %s (%s)\n  path: %s\n", quotePath(res.File), res.Tree, quotePath(res.TreeFile), quotePath(res.Path))
	}
	return exitOK
}
