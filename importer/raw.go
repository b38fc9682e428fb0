// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"strings"

	"gvfs-metadata/compat/resolve"
	"gvfs-metadata/format"
)

// RawTree builds one tree file's content from metafiles the way gvfs's
// convert-nautilus-metadata did: the absolute path of every file of every
// file: location, keys as written (see Raw), timestamps as last-changed
// times.
type RawTree struct {
	// RelativeTo, when set, makes paths relative to this directory (the
	// home directory, for a tree to be used as "home"); locations outside
	// it are reported and left out.
	RelativeTo string
	Report     func(Problem)
	Stats      Stats

	root     *format.Node
	children map[*format.Node]map[string]*format.Node // by name, for big directories
}

// Add adds one metafile's entries, calling each (when not nil) for
// every entry added. A path named twice (a directory's "." entry and its
// entry in its parent) gets the keys of both, the later metafile winning
// for keys in both, and the later of the two times.
func (t *RawTree) Add(m *Metafile, each func(FileResult)) {
	for _, p := range m.Problems {
		t.report(p)
	}
	if !m.Usable {
		if m.Skipped() {
			t.Stats.SkippedDirectories++
		}
		return
	}
	dir, ok := t.treePath(m)
	if !ok {
		return
	}
	t.Stats.Directories++
	for i := range m.Entries {
		e := &m.Entries[i]
		p := dir
		if e.Name != "." {
			p = strings.TrimRight(dir, "/") + "/" + e.Name
		}
		kvs := Raw(e)
		t.merge(p, kvs, e.Timestamp)
		t.Stats.Files++
		t.Stats.Set += len(kvs)
		if each != nil {
			each(FileResult{Metafile: m.Path, Line: e.Line, File: m.Dir.Child(e.Name),
				Target: resolve.Location{Path: p}, Set: kvs, LastChanged: e.Timestamp})
		}
	}
}

// treePath is where a metafile's directory goes in the tree.
func (t *RawTree) treePath(m *Metafile) (string, bool) {
	if !m.Dir.IsLocal() {
		t.Stats.SkippedDirectories++
		t.report(Problem{File: m.Path, Severity: Warning,
			Msg: m.Dir.Display() + ": the raw conversion takes only file:// locations; skipped"})
		return "", false
	}
	p := resolve.CleanPath(m.Dir.Local)
	if t.RelativeTo == "" || t.RelativeTo == "/" {
		return p, true
	}
	base := resolve.CleanPath(t.RelativeTo)
	rest, ok := strings.CutPrefix(p, base)
	if !ok || rest != "" && rest[0] != '/' {
		t.Stats.SkippedDirectories++
		t.report(Problem{File: m.Path, Severity: Warning,
			Msg: m.Dir.Display() + " is not under " + printable(base) + "; skipped"})
		return "", false
	}
	if rest == "" {
		rest = "/"
	}
	return rest, true
}

func (t *RawTree) report(p Problem) {
	t.Stats.count(p)
	if t.Report != nil {
		t.Report(p)
	}
}

func (t *RawTree) merge(p string, kvs []format.KeyValue, timestamp int64) {
	if t.root == nil {
		t.root = &format.Node{}
	}
	n := t.root
	for _, name := range strings.Split(strings.Trim(p, "/"), "/") {
		if name == "" {
			continue
		}
		n = t.child(n, name)
	}
	for _, kv := range kvs {
		n.Keys = setKey(n.Keys, kv)
	}
	n.LastChanged = max(n.LastChanged, timestamp)
}

// Root is the tree built so far, sorted as format.Build needs it.
func (t *RawTree) Root() *format.Node {
	if t.root == nil {
		t.root = &format.Node{}
	}
	t.root.Sort()
	return t.root
}

func (t *RawTree) child(n *format.Node, name string) *format.Node {
	if t.children == nil {
		t.children = map[*format.Node]map[string]*format.Node{}
	}
	byName := t.children[n]
	if byName == nil {
		byName = map[string]*format.Node{}
		t.children[n] = byName
	}
	if c, ok := byName[name]; ok {
		return c
	}
	c := &format.Node{Name: name}
	n.Children = append(n.Children, c)
	byName[name] = c
	return c
}
