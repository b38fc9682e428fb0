// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"gvfs-metadata/compat/resolve"
)

// Locator finds where the metadata of a Location lives, for one user.
type Locator struct {
	Resolver *resolve.Resolver
}

// Target locates a file's metadata: a remote one in its mount spec's
// tree, a local one as the C client does (see the package doc for files
// in directories that are gone).
func (l Locator) Target(loc Location) resolve.Location {
	if !loc.IsLocal() {
		tree := loc.Remote.String()
		return resolve.Location{Tree: tree, TreeFile: l.Resolver.TreeFile(tree), Path: loc.Path}
	}
	p := path.Clean(loc.Local)
	if exists(path.Dir(p)) {
		return l.Resolver.Resolve(p)
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
	t := l.Resolver.Resolve(ancestor)
	t.Path = strings.TrimRight(t.Path, "/") + "/" + strings.TrimLeft(rest, "/")
	return t
}

// exists reports whether p exists, following symlinks (a directory that
// is a symlink to a directory counts).
func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
