// SPDX-License-Identifier: LGPL-2.0-or-later

package resolve

import (
	"os"
	"syscall"
)

// maxLinks bounds a chain of symlinks, as the C client does (after that
// it gives up and uses the path reached).
const maxLinks = 12

// followLink resolves one symlink: an absolute target is canonicalized, a
// relative one taken from the link's directory. A path that is not a link
// is returned as is.
func followLink(p string) string {
	target, err := os.Readlink(p)
	if err != nil {
		return p
	}
	if len(target) > 0 && target[0] == '/' {
		return canonicalize(target)
	}
	parent := dirname(p)
	if parent == "" {
		parent = "/"
	}
	return canonicalize(join(parent, target))
}

// followLinks resolves p while it is a symlink and returns the device of
// what it ends at (0 when that does not exist).
func followLinks(p string) (string, uint64) {
	for range maxLinks + 1 {
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			return p, 0
		}
		if st.Mode&syscall.S_IFMT != syscall.S_IFLNK {
			return p, st.Dev
		}
		p = followLink(p)
	}
	var st syscall.Stat_t
	if syscall.Lstat(p, &st) != nil {
		return p, 0
	}
	return p, st.Dev
}

// expandAll resolves every symlink in p, the last component included, and
// returns the device of the result.
func expandAll(p string) (string, uint64) {
	p, dev := followLinks(p)
	if parent := dirname(p); parent != "" {
		expanded, _ := expandAll(parent)
		return join(expanded, basename(p)), dev
	}
	return p, dev
}

// expandParents canonicalizes p and resolves the symlinks of its parents,
// not of p itself; it returns the device of the parent (0 for "/").
func expandParents(p string) (string, uint64) {
	p = canonicalize(p)
	parent := dirname(p)
	if parent == "" {
		return p, 0
	}
	expanded, dev := expandAll(parent)
	return join(expanded, basename(p)), dev
}

// deviceOf is the lstat device of a path, 0 when it does not exist.
func deviceOf(p string) uint64 {
	var st syscall.Stat_t
	if syscall.Lstat(p, &st) != nil {
		return 0
	}
	return st.Dev
}
