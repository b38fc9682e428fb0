// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gvfs-metadata/format"
	"gvfs-metadata/store"
)

func init() {
	register("export", "back up a whole tree as JSON", runExport)
	register("import", "restore a JSON backup into a tree", runImport)
}

// exportFormat names the backup format, so that import can refuse other
// JSON files.
const exportFormat = "gvfs-meta-export"

type exportDocument struct {
	Format   string      `json:"format"`
	Version  int         `json:"version"`
	Tree     string      `json:"tree"`
	Exported string      `json:"exported"`
	Entries  []jsonEntry `json:"entries"`
}

func runExport(args []string, stdout, stderr io.Writer) int {
	flags := newFlags("export", "[--json] TREEFILE",
		"Write everything in TREEFILE (merged with its journal) to standard output\n"+
			"as one JSON document: every path with its keys and change time. `gvfs-meta\n"+
			"import` restores it. JSON is the only format (--json is accepted for\n"+
			"symmetry with the other commands).",
		"gvfs-meta export ~/.local/share/gvfs-metadata/home > home-metadata.json", stderr)
	flags.Bool("json", true, "JSON output (the default and only format)")
	if stop, status := parseCommand(flags, args, stdout, operands{1, 1, "one TREEFILE"}); stop {
		return status
	}
	entries, warnings, err := dumpEntries(flags.Arg(0))
	for _, w := range warnings {
		fmt.Fprintf(stderr, "gvfs-meta export: warning: %s\n", w)
	}
	if err != nil {
		return fail(stderr, "export", err)
	}
	doc := exportDocument{Format: exportFormat, Version: 1, Tree: filepath.Base(flags.Arg(0)), Exported: time.Now().UTC().Format(time.RFC3339), Entries: entries}
	b, err := marshalIndent(doc)
	if err != nil {
		return fail(stderr, "export", err)
	}
	stdout.Write(b)
	return exitOK
}

func runImport(args []string, stdout, stderr io.Writer) int {
	flags := newFlags("import", "FILE.json TREEFILE",
		"Restore a backup made by `gvfs-meta export` into TREEFILE. When the metadata\n"+
			"daemon runs, or TREEFILE exists, every path's keys are set through the\n"+
			"daemon (keys not in the backup are left alone; change times become the\n"+
			"time of the restore). Otherwise a new tree is written directly, change\n"+
			"times included. A backup of one tree (say home) is not restored into\n"+
			"another (say root) unless --any-tree says so: its paths would name other\n"+
			"files there.",
		"gvfs-meta import home-metadata.json ~/.local/share/gvfs-metadata/home", stderr)
	anyTree := flags.Bool("any-tree", false, "restore even into a tree of another name than the backup's")
	if stop, status := parseCommand(flags, args, stdout, operands{2, 2, "FILE.json TREEFILE"}); stop {
		return status
	}
	doc, err := readExport(flags.Arg(0))
	if err != nil {
		return fail(stderr, "import", err)
	}
	treefile, err := filepath.Abs(flags.Arg(1))
	if err != nil {
		return fail(stderr, "import", err)
	}
	if doc.Tree != "" && doc.Tree != filepath.Base(treefile) && !*anyTree {
		return fail(stderr, "import", fmt.Errorf("%s is a backup of the %q tree, not of %q: its paths would name other files there (--any-tree restores it anyway)",
			flags.Arg(0), doc.Tree, filepath.Base(treefile)))
	}
	var daemon lazyClient
	defer daemon.close()
	_, statErr := os.Lstat(treefile)
	exists := !errors.Is(statErr, fs.ErrNotExist)
	running := false
	if c, err := daemon.get(); err == nil {
		running = c.Running()
	}
	if !exists && !running {
		root, err := nodesFromEntries(doc.Entries)
		if err != nil {
			return fail(stderr, "import", err)
		}
		s, err := store.Create(treefile, root, store.Options{})
		if err != nil {
			return fail(stderr, "import", err)
		}
		s.Close()
		fmt.Fprintf(stdout, "wrote %s with %d entries\n", treefile, len(doc.Entries))
		return exitOK
	}
	c, err := daemon.get()
	if err != nil {
		return fail(stderr, "import", fmt.Errorf("%s exists, and the metadata daemon cannot be reached to merge into it: %w", treefile, err))
	}
	prog := newProgress(stderr, "restoring", len(doc.Entries))
	set := 0
	for i, e := range doc.Entries {
		prog.update(i + 1)
		if len(e.Keys) == 0 {
			continue
		}
		p, _ := e.rawPath()
		values, err := entryValues(e)
		if err != nil {
			prog.done()
			return fail(stderr, "import", err)
		}
		if err := c.Set(treefile, p, values); err != nil {
			prog.done()
			return fail(stderr, "import", fmt.Errorf("%s %s: %w", treefile, p, err))
		}
		set++
	}
	prog.done()
	fmt.Fprintf(stdout, "restored %d paths through the daemon into %s\n", set, treefile)
	return exitOK
}

func readExport(path string) (*exportDocument, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc exportDocument
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if doc.Format != exportFormat || doc.Version != 1 {
		return nil, fmt.Errorf("%s: not a gvfs-meta export (format %q version %d)", path, doc.Format, doc.Version)
	}
	for i, e := range doc.Entries {
		p, err := e.rawPath()
		if err != nil || !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("%s: entry %d: bad path %q", path, i, p)
		}
		if _, err := entryValues(e); err != nil {
			return nil, fmt.Errorf("%s: entry %d (%s): %w", path, i, p, err)
		}
	}
	return &doc, nil
}

// entryValues converts a JSON entry's keys to client values.
func entryValues(e jsonEntry) (map[string]any, error) {
	out := make(map[string]any, len(e.Keys))
	for k, v := range e.Keys {
		switch v := v.(type) {
		case string:
			out[k] = v
		case []any:
			list := make([]string, len(v))
			for i, item := range v {
				s, ok := item.(string)
				if !ok {
					return nil, fmt.Errorf("key %q: list items must be strings", k)
				}
				list[i] = s
			}
			out[k] = list
		case []string:
			out[k] = v
		default:
			return nil, fmt.Errorf("key %q: value must be a string or a list of strings", k)
		}
	}
	return out, nil
}

// nodesFromEntries builds a tree from export entries.
func nodesFromEntries(entries []jsonEntry) (*format.Node, error) {
	root := &format.Node{Name: "/"}
	children := map[*format.Node]map[string]*format.Node{}
	for _, e := range entries {
		p, _ := e.rawPath()
		n := root
		for _, name := range strings.Split(strings.Trim(p, "/"), "/") {
			if name == "" {
				continue
			}
			if children[n] == nil {
				children[n] = map[string]*format.Node{}
			}
			child := children[n][name]
			if child == nil {
				child = &format.Node{Name: name}
				children[n][name] = child
				n.Children = append(n.Children, child)
			}
			n = child
		}
		n.LastChanged = e.LastChanged
		values, err := entryValues(e)
		if err != nil {
			return nil, err
		}
		n.Keys = n.Keys[:0]
		for k, v := range values {
			switch v := v.(type) {
			case string:
				n.Keys = append(n.Keys, format.KeyValue{Key: k, Value: v})
			case []string:
				n.Keys = append(n.Keys, format.KeyValue{Key: k, List: v, IsList: true})
			}
		}
		sort.Slice(n.Keys, func(i, j int) bool { return n.Keys[i].Key < n.Keys[j].Key })
	}
	root.Sort()
	return root, nil
}
