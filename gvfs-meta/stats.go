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
	TreeWritten    string         `json:"tree_written"`
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
			"when the tree file was last written by a rotation: the time in its header,\n"+
			"or the newest change merged into it when a rotation patched it (a patch\n"+
			"keeps the header's time). Copying the file does not change it.",
		"gvfs-meta stats ~/.local/share/gvfs-metadata/home", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if stop, status := parseCommand(fs, args, stdout, operands{1, 1, "one TREEFILE"}); stop {
		return status
	}
	path := fs.Arg(0)
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
		TreeWritten: time.Unix(treeWritten(path), 0).UTC().Format(time.RFC3339),
		Journal:     st.JournalPath, JournalBytes: st.JournalBytes, JournalUsed: st.JournalUsed, JournalEntries: st.JournalEntries,
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
	fmt.Fprintf(stdout, "tree written:  %s\n", out.TreeWritten)
	if out.Journal != "" {
		fmt.Fprintf(stdout, "journal:       %s\n", journalFill(out.Journal, out.JournalBytes, out.JournalUsed, out.JournalEntries))
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

// treeWritten is when a rotation last wrote the tree file: its header's
// time base, or the newest change time of its entries when later (a
// rotation that patches a tree keeps the base). 0 when unreadable.
func treeWritten(path string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	t, err := format.ParseTree(data)
	if err != nil {
		return 0
	}
	newest := t.TimeBase()
	seen := map[uint32]bool{} // children blocks, in case a damaged tree loops
	var walk func(d format.Dirent)
	walk = func(d format.Dirent) {
		newest = max(newest, d.LastChanged())
		dir, err := d.Children()
		if err != nil || seen[dir.Offset()] {
			return
		}
		seen[dir.Offset()] = true
		for i := 0; i < dir.Len(); i++ {
			walk(dir.Child(i))
		}
	}
	walk(t.Root())
	return newest
}

// journalFill describes a journal: its file, size, entries and how full
// it is.
func journalFill(path string, size, used, entries int) string {
	fill := 0.0
	if size > 0 {
		fill = 100 * float64(used) / float64(size)
	}
	return fmt.Sprintf("%s (%d bytes, %d entries, %.1f%% full)", quotePath(path), size, entries, fill)
}
