// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"gvfs-metadata/format"
)

func init() {
	register("stats", "sizes, entries, keys and journal fill of a tree", runStats)
}

type treeStats struct {
	Tree           string         `json:"tree"`
	TreeBytes      int            `json:"tree_bytes"`
	Tag            string         `json:"tag"`
	LastRotation   string         `json:"last_rotation"`
	Journal        string         `json:"journal,omitempty"`
	JournalBytes   int            `json:"journal_bytes"`
	JournalUsed    int            `json:"journal_used_bytes"`
	JournalEntries int            `json:"journal_entries"`
	Entries        int            `json:"entries"`
	PathsWithKeys  int            `json:"paths_with_keys"`
	Keys           map[string]int `json:"keys"`
}

func runStats(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("stats", "[--json] TREEFILE",
		"Summarise TREEFILE as applications see it: entries, how many paths use\n"+
			"each key, the sizes of the tree and journal, how full the journal is, and\n"+
			"when the tree was last rewritten (rotated).",
		"gvfs-meta stats ~/.local/share/gvfs-metadata/home", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if stop, status := parseFlags(fs, args, stdout); stop {
		return status
	}
	if fs.NArg() != 1 {
		return usageError(fs, "expected one TREEFILE")
	}
	path := fs.Arg(0)
	info, err := os.Stat(path)
	if err != nil {
		return fail(stderr, "stats", err)
	}
	s, err := openTree(path)
	if err != nil {
		return fail(stderr, "stats", err)
	}
	defer s.Close()
	st, err := s.Stats()
	if err != nil {
		return fail(stderr, "stats", err)
	}
	root, _, err := s.Merged()
	if err != nil {
		return fail(stderr, "stats", err)
	}
	out := treeStats{
		Tree: path, TreeBytes: st.TreeBytes, Tag: fmt.Sprintf("%08x", st.TreeTag),
		LastRotation: info.ModTime().UTC().Format(time.RFC3339),
		Journal:      st.JournalPath, JournalBytes: st.JournalBytes, JournalUsed: st.JournalUsed, JournalEntries: st.JournalEntries,
		Keys: map[string]int{},
	}
	var count func(n *format.Node)
	count = func(n *format.Node) {
		out.Entries++
		if len(n.Keys) > 0 {
			out.PathsWithKeys++
		}
		for _, kv := range n.Keys {
			out.Keys[kv.Key]++
		}
		for _, c := range n.Children {
			count(c)
		}
	}
	count(root)
	if *asJSON {
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	fmt.Fprintf(stdout, "tree:          %s (%d bytes, tag %s)\n", quotePath(path), out.TreeBytes, out.Tag)
	fmt.Fprintf(stdout, "last rotation: %s\n", out.LastRotation)
	if out.Journal != "" {
		fill := 0.0
		if out.JournalBytes > 0 {
			fill = 100 * float64(out.JournalUsed) / float64(out.JournalBytes)
		}
		fmt.Fprintf(stdout, "journal:       %s (%d bytes, %d entries, %.1f%% full)\n", quotePath(out.Journal), out.JournalBytes, out.JournalEntries, fill)
	} else {
		fmt.Fprintln(stdout, "journal:       none")
	}
	fmt.Fprintf(stdout, "entries:       %d (%d with keys)\n", out.Entries, out.PathsWithKeys)
	names := make([]string, 0, len(out.Keys))
	for k := range out.Keys {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if out.Keys[names[i]] != out.Keys[names[j]] {
			return out.Keys[names[i]] > out.Keys[names[j]]
		}
		return names[i] < names[j]
	})
	fmt.Fprintln(stdout, "keys:")
	for _, k := range names {
		fmt.Fprintf(stdout, "  %-40s %d\n", k, out.Keys[k])
	}
	return exitOK
}
