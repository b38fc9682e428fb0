// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import (
	"sort"
	"strings"
)

// node is one path component. The same shape holds two things: the
// directories being watched, as they are on disk now (a watch's path
// follows its directory when the directory is renamed, by moving its
// node), and the paths that have metadata, as the tree holds them (their
// identities move when their metadata moves).
type node struct {
	name   string
	parent *node
	kids   map[string]*node

	// For entries: the path has keys, the file's identity, and whether
	// its file is missing and has not been found again.
	meta  bool
	id    Identity
	lost  bool
	since int64 // seconds since the epoch the file has been missing; 0: not
	// For the directories above entries: their identity was read (a
	// renamed directory is found again whole, by its own identity).
	checked bool

	// For directories: the watch, 0 when none, and until when (nanotime)
	// a directory found missing is not tried again.
	wd          int32
	absentUntil int64
}

func newRoot() *node { return &node{name: "/"} }

// split turns a tree path ("/a/b") into its components; "/" has none.
func split(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// join appends name to a tree path.
func join(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// parentPath is the directory of a tree path; "/" for "/".
func parentPath(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

func (n *node) lookup(p string) *node {
	for _, c := range split(p) {
		if n = n.kids[c]; n == nil {
			return nil
		}
	}
	return n
}

func (n *node) ensure(p string) *node {
	for _, c := range split(p) {
		k := n.kids[c]
		if k == nil {
			k = &node{name: c, parent: n}
			if n.kids == nil {
				n.kids = map[string]*node{}
			}
			n.kids[c] = k
		}
		n = k
	}
	return n
}

// path is the node's tree path.
func (n *node) path() string {
	if n.parent == nil {
		return "/"
	}
	var parts []string
	for ; n.parent != nil; n = n.parent {
		parts = append(parts, n.name)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	return b.String()
}

// detach takes the node at p out of the trie and returns it (nil when
// there is none, or p is the root).
func (n *node) detach(p string) *node {
	k := n.lookup(p)
	if k == nil || k.parent == nil {
		return nil
	}
	delete(k.parent.kids, k.name)
	k.parent = nil
	return k
}

// attach puts k at p, replacing what was there, and returns what it
// replaced.
func (n *node) attach(p string, k *node) (replaced *node) {
	parts := split(p)
	if len(parts) == 0 {
		return nil
	}
	dir := n.ensure(parentPath(p))
	name := parts[len(parts)-1]
	replaced = dir.kids[name]
	if replaced != nil {
		replaced.parent = nil
	}
	k.name, k.parent = name, dir
	if dir.kids == nil {
		dir.kids = map[string]*node{}
	}
	dir.kids[name] = k
	return replaced
}

// walk visits n and every node below it, parents first, in name order.
func (n *node) walk(fn func(*node)) {
	fn(n)
	names := make([]string, 0, len(n.kids))
	for name := range n.kids {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		n.kids[name].walk(fn)
	}
}

// prune removes n and its parents while they hold nothing.
func (n *node) prune() {
	for n.parent != nil && len(n.kids) == 0 && !n.meta && n.wd == 0 {
		p := n.parent
		delete(p.kids, n.name)
		n.parent = nil
		n = p
	}
}
