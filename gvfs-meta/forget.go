// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gvfs-metadata/compat/client"
	"gvfs-metadata/format"
)

func init() {
	register("forget", "remove all metadata of files and folders, and write the trees out at once", runForget)
}

func runForget(args []string, stdout, stderr io.Writer) int {
	flags := newFlags("forget", "[--dry-run] [--older-than DURATION] PATH...",
		"Remove every key of every file and directory under each PATH, from\n"+
			"whichever tree holds it (home, root, a volume's), through the daemon\n"+
			"(Remove calls, as applications make), then have the daemon write those\n"+
			"trees out laid out whole, so that when the command returns no file in\n"+
			"the metadata directory holds the removed names or values. PATH may also\n"+
			"be a tree file, for all of it. With --older-than, only entries whose\n"+
			"last change is older than DURATION (90d, 36h, 1h30m) go, and their\n"+
			"subdirectories' newer entries stay. Disk blocks the file system has not\n"+
			"reused yet are beyond any program.",
		"gvfs-meta forget ~/Private\n"+
			"gvfs-meta forget --older-than 180d ~/.local/share/gvfs-metadata/home\n"+
			"gvfs-meta forget --dry-run --older-than 30d ~/Downloads", stderr)
	dry := flags.Bool("dry-run", false, "list what would be forgotten, change nothing")
	olderThan := flags.String("older-than", "", "forget only entries last changed longer ago than `DURATION`")
	if stop, status := parseCommand(flags, args, stdout, operands{1, -1, "PATH..."}); stop {
		return status
	}
	var cutoff int64 // seconds since the epoch; 0: everything
	if *olderThan != "" {
		d, err := parseAge(*olderThan)
		if err != nil {
			return usageError(flags, "--older-than: %v", err)
		}
		cutoff = time.Now().Add(-d).Unix()
	}
	var daemon lazyClient
	defer daemon.close()
	r, err := newResolver(&daemon)
	if err != nil {
		return fail(stderr, "forget", err)
	}
	var plan forgetPlan
	for _, arg := range flags.Args() {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return fail(stderr, "forget", err)
		}
		treefile, path := abs, "/"
		if !isTreeFile(abs) {
			loc := r.Resolve(abs)
			treefile, path = loc.TreeFile, loc.Path
		}
		if err := plan.add(treefile, path, cutoff); err != nil {
			return fail(stderr, "forget", err)
		}
	}
	if *dry {
		for _, it := range plan.items {
			what := "all of it"
			if it.keysOnly {
				what = "its keys; newer entries below it stay"
			}
			fmt.Fprintf(stdout, "would forget %s in %s (%s)\n", quotePath(it.path), quotePath(it.treefile), what)
		}
		fmt.Fprintf(stdout, "%d entries would be forgotten\n", plan.entries)
		return exitOK
	}
	if len(plan.items) == 0 {
		fmt.Fprintln(stdout, "nothing to forget")
		return exitOK
	}
	c, err := daemon.get()
	if err != nil {
		return fail(stderr, "forget", err)
	}
	if err := plan.apply(c); err != nil {
		return fail(stderr, "forget", err)
	}
	if err := c.Flush(plan.treefiles()); err != nil {
		if errors.Is(err, client.ErrNoFlush) {
			err = fmt.Errorf("%d entries removed, but %w: the C daemon writes them out within a minute of the change", plan.entries, err)
		}
		return fail(stderr, "forget", err)
	}
	fmt.Fprintf(stdout, "forgot %d entries; written out: %s\n", plan.entries, strings.Join(plan.treefiles(), ", "))
	return exitOK
}

// isTreeFile reports whether p names a tree file: a regular file directly
// in a gvfs-metadata directory that is not a journal.
func isTreeFile(p string) bool {
	st, err := os.Lstat(p)
	return err == nil && st.Mode().IsRegular() && filepath.Base(filepath.Dir(p)) == "gvfs-metadata" && !strings.HasSuffix(p, ".log")
}

// parseAge reads a duration as Go writes them, with days (d) too.
func parseAge(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(n * 24 * float64(time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration (90d, 36h, 1h30m)", s)
	}
	return d, nil
}

// forgetPlan is what forget removes, in the order it removes it.
type forgetPlan struct {
	items   []forgetItem
	entries int // entries with keys that go
}

// forgetItem is one Remove call (the path and all below it), or, for an
// entry that has newer entries below it, an unset of each of its keys.
type forgetItem struct {
	treefile, path string
	keysOnly       bool
	keys           []string
}

// add plans forgetting what treefile holds under path whose last change
// is before cutoff (everything when cutoff is 0).
func (p *forgetPlan) add(treefile, path string, cutoff int64) error {
	if _, err := os.Stat(treefile); errors.Is(err, os.ErrNotExist) {
		return nil // no tree: nothing was ever kept there
	}
	s, err := openTree(treefile)
	if err != nil {
		return err
	}
	defer s.Close()
	root, _, err := s.Merged()
	if err != nil {
		return err
	}
	n := findNode(root, path)
	if n == nil {
		return nil
	}
	if cutoff == 0 {
		if k := countKeyed(n); k > 0 {
			p.items = append(p.items, forgetItem{treefile: treefile, path: path})
			p.entries += k
		}
		return nil
	}
	p.addOlder(treefile, path, n, cutoff)
	return nil
}

// addOlder plans the entries under n last changed before cutoff: a whole
// subtree in one Remove when every entry in it is that old, else the old
// entry's keys one by one.
func (p *forgetPlan) addOlder(treefile, path string, n *format.Node, cutoff int64) {
	if k := countKeyed(n); k > 0 && newest(n) < cutoff {
		p.items = append(p.items, forgetItem{treefile: treefile, path: path})
		p.entries += k
		return
	}
	if len(n.Keys) > 0 && n.LastChanged != 0 && n.LastChanged < cutoff {
		it := forgetItem{treefile: treefile, path: path, keysOnly: true}
		for _, kv := range n.Keys {
			it.keys = append(it.keys, kv.Key)
		}
		p.items = append(p.items, it)
		p.entries++
	}
	for _, k := range n.Children {
		p.addOlder(treefile, strings.TrimSuffix(path, "/")+"/"+k.Name, k, cutoff)
	}
}

func (p *forgetPlan) apply(c *client.Client) error {
	for _, it := range p.items {
		if !it.keysOnly {
			if err := c.Remove(it.treefile, it.path); err != nil {
				return fmt.Errorf("%s: %w", it.path, err)
			}
			continue
		}
		unset := map[string]any{}
		for _, k := range it.keys {
			unset[k] = struct{}{}
		}
		if err := c.Set(it.treefile, it.path, unset); err != nil {
			return fmt.Errorf("%s: %w", it.path, err)
		}
	}
	return nil
}

// treefiles are the trees the plan changes, each once, in order.
func (p *forgetPlan) treefiles() []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range p.items {
		if !seen[it.treefile] {
			seen[it.treefile] = true
			out = append(out, it.treefile)
		}
	}
	return out
}

// findNode is the node at a tree path, or nil.
func findNode(root *format.Node, path string) *format.Node {
	n := root
	for _, c := range strings.Split(strings.Trim(path, "/"), "/") {
		if c == "" {
			continue
		}
		var next *format.Node
		for _, k := range n.Children {
			if k.Name == c {
				next = k
				break
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

// countKeyed counts the entries with keys at and below n.
func countKeyed(n *format.Node) int {
	c := 0
	visitNodes(n, func(int) { c++ })
	return c
}

// newest is the latest last change of an entry with keys at or below n
// (an unknown time counts as new: it is never forgotten for its age).
func newest(n *format.Node) int64 {
	var t int64
	if len(n.Keys) > 0 {
		t = n.LastChanged
		if t == 0 {
			t = 1<<63 - 1
		}
	}
	for _, k := range n.Children {
		t = max(t, newest(k))
	}
	return t
}
