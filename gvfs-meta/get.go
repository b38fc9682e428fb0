// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gvfs-metadata/format"
	"gvfs-metadata/store"
)

func init() {
	register("get", "print a file's metadata (reads the files, no daemon needed)", runGet)
}

func runGet(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("get", "[--json] FILE [KEY...]",
		"Print FILE's metadata keys (all, or the KEYs named) as applications see\n"+
			"them, reading the tree and its journal directly. The text output is the\n"+
			"metadata:: lines of `gio info -a 'metadata::*' FILE`. As with gio info, a\n"+
			"FILE that does not exist exits 2 and a key it does not have is no error\n"+
			"(it is named on standard error).",
		"gvfs-meta get ~/Pictures/holiday.jpg\n"+
			"gvfs-meta get --json ~/Pictures/holiday.jpg emblems", stderr)
	asJSON := fs.Bool("json", false, "print {file, tree, path, keys}")
	if stop, status := parseCommand(fs, args, stdout, operands{1, -1, "FILE [KEY...]"}); stop {
		return status
	}
	var daemon lazyClient
	defer daemon.close()
	r, err := newResolver(&daemon)
	if err != nil {
		return fail(stderr, "get", err)
	}
	abs, _ := filepath.Abs(fs.Arg(0))
	if _, err := os.Lstat(abs); err != nil {
		// gio info's case and status: metadata is a file's, and a file
		// that is not there has none to show.
		fail(stderr, "get", err)
		return exitNoFile
	}
	loc := r.Resolve(abs)
	s, err := store.Open(loc.TreeFile, store.Options{ReadOnly: true})
	if err != nil {
		return fail(stderr, "get", err)
	}
	defer s.Close()
	kvs, err := s.Keys(loc.Path)
	if err != nil {
		return fail(stderr, "get", err)
	}
	wanted := map[string]bool{}
	for _, k := range fs.Args()[1:] {
		wanted[metadataKey(k)] = true
	}
	keys := map[string]any{}
	var order []format.KeyValue
	for _, kv := range kvs {
		if len(wanted) > 0 && !wanted[kv.Key] {
			continue
		}
		order = append(order, kv)
		keys[kv.Key] = clientValue(kv)
	}
	for _, k := range fs.Args()[1:] {
		if _, ok := keys[metadataKey(k)]; !ok {
			fmt.Fprintf(stderr, "gvfs-meta get: %s has no key %s\n", fs.Arg(0), metadataKey(k))
		}
	}
	if *asJSON {
		b, _ := json.MarshalIndent(map[string]any{"file": fs.Arg(0), "tree": loc.TreeFile, "path": loc.Path, "keys": keys}, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	for _, kv := range order {
		fmt.Fprintf(stdout, "  metadata::%s: %s\n", kv.Key, formatValue(keys[kv.Key]))
	}
	return exitOK
}

// clientValue is a stored value as the client sends it and JSON shows it:
// a string, or a list of strings (never null).
func clientValue(kv format.KeyValue) any {
	if !kv.IsList {
		return kv.Value
	}
	if kv.List == nil {
		return []string{}
	}
	return kv.List
}
