// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"gvfs-metadata/compat/resolve"
)

// Target is where one file's metadata lives.
type Target struct {
	Tree     string // "home", "root", "uuid-...", "label-...", or a mount spec string
	TreeFile string // the tree file, as clients name it to the daemon
	Path     string // the path inside the tree
}

// Locator finds the Target of a Location for one user.
type Locator struct {
	Resolver *resolve.Resolver
}

// Target locates a file's metadata: a remote one in its mount spec's
// tree, a local one as the C client does (see the package doc for files
// in directories that are gone).
func (l Locator) Target(loc Location) Target {
	if !loc.IsLocal() {
		tree := loc.Remote.String()
		return Target{Tree: tree, TreeFile: l.Resolver.TreeFile(tree), Path: loc.Path}
	}
	p := path.Clean(loc.Local)
	if exists(path.Dir(p)) {
		return fromResolve(l.Resolver.Resolve(p))
	}
	// The C client would use the missing parent's device (none) and say
	// "root". Once the directories are back they are on their nearest
	// existing ancestor's file system, so locate that ancestor (symlinks
	// and all, as it will then be a parent) and add the missing part.
	ancestor := path.Dir(p)
	for ancestor != "/" && !exists(ancestor) {
		ancestor = path.Dir(ancestor)
	}
	rest := strings.TrimPrefix(p, ancestor)
	if real, err := filepath.EvalSymlinks(ancestor); err == nil {
		ancestor = real
	}
	t := fromResolve(l.Resolver.Resolve(ancestor))
	t.Path = strings.TrimRight(t.Path, "/") + "/" + strings.TrimLeft(rest, "/")
	return t
}

func fromResolve(r resolve.Location) Target {
	return Target{Tree: r.Tree, TreeFile: r.TreeFile, Path: r.Path}
}

// exists reports whether p exists, following symlinks (a directory that
// is a symlink to a directory counts).
func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
