// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"gvfs-metadata/format"
)

func init() {
	register("dump", "print the merged metadata of a tree (tree file + journal)", runDump)
}

func runDump(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("dump", "[--json] TREEFILE",
		"Print every path of a metadata tree that has keys or a change time, as\n"+
			"applications see it: the tree file merged with its journal. Reads the\n"+
			"files directly; the daemon need not run.",
		"gvfs-meta dump ~/.local/share/gvfs-metadata/home\n"+
			"gvfs-meta dump --json ~/.local/share/gvfs-metadata/home | jq '.entries[0]'", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object {\"entries\":[...]}")
	if stop, status := parseCommand(fs, args, stdout, operands{1, 1, "one TREEFILE"}); stop {
		return status
	}
	entries, warnings, err := dumpEntries(fs.Arg(0))
	for _, w := range warnings {
		fmt.Fprintf(stderr, "gvfs-meta dump: warning: %s\n", w)
	}
	if err != nil {
		return fail(stderr, "dump", err)
	}
	if *asJSON {
		b, err := marshalIndent(jsonDocument{Entries: entries})
		if err != nil {
			return fail(stderr, "dump", err)
		}
		stdout.Write(b)
		return exitOK
	}
	for _, e := range entries {
		printEntry(stdout, e)
	}
	return exitOK
}

// dumpEntries reads a tree and its journal and lists every path with keys
// or a change time, sorted by path bytes. A tree that cannot be opened, or
// with unreadable parts, is an error naming the file and the offset; a
// journal whose tail is damaged is only a warning, because readers ignore
// such a tail by design (it is what a crash leaves).
func dumpEntries(path string) ([]jsonEntry, []string, error) {
	s, err := openTree(path)
	if err != nil {
		return nil, nil, err
	}
	defer s.Close()
	root, damage, err := s.Merged()
	if err != nil {
		return nil, nil, err
	}
	var warnings []string
	if st, err := s.Stats(); err == nil && st.JournalBroken != nil {
		warnings = append(warnings, fmt.Sprintf("%s: entries from the first invalid one on are ignored: %v", st.JournalPath, st.JournalBroken))
	}
	entries := []jsonEntry{}
	visit(root, "/", func(p string, n *format.Node) {
		if len(n.Keys) > 0 || n.LastChanged != 0 {
			entries = append(entries, newJSONEntry(p, n))
		}
	})
	sort.Slice(entries, func(i, j int) bool {
		a, _ := entries[i].rawPath()
		b, _ := entries[j].rawPath()
		return a < b
	})
	if damage.Count > 0 {
		return entries, warnings, fmt.Errorf("%s: %d unreadable parts, first: %v", path, damage.Count, damage.Errors[0])
	}
	return entries, warnings, nil
}

func printEntry(w io.Writer, e jsonEntry) {
	p, _ := e.rawPath()
	line := quotePath(p)
	if e.LastChanged != 0 {
		line += "  (changed " + time.Unix(e.LastChanged, 0).UTC().Format("2006-01-02 15:04:05 UTC") + ")"
	}
	fmt.Fprintln(w, line)
	keys := make([]string, 0, len(e.Keys))
	for k := range e.Keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s: %s\n", k, formatValue(e.Keys[k]))
	}
}

// formatValue renders a value as gio info does: a string as is, a list as
// [a, b].
func formatValue(v any) string {
	if list, ok := v.([]string); ok {
		return "[" + strings.Join(list, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// quotePath shows a path's bytes readably: printable ASCII as is, every
// other byte (and backslash) as \xNN, the escaping gio uses for names.
func quotePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 32 && c <= 126 && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\x%02x", c)
		}
	}
	return b.String()
}
