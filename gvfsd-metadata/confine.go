// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// treeDirName is the only directory a tree file may live in (under any
// parent: a sandboxed client's data directory differs from the daemon's).
const treeDirName = "gvfs-metadata"

// confineTreefile decides whether a client-supplied tree file path may be
// opened or created. The C daemon creates whatever directories and file a
// caller names, so any client on the bus could make it write anywhere the
// user can. Here the path must be absolute and clean, name a single file
// directly inside a directory called "gvfs-metadata", and not be a
// symlink; nothing else is touched, and only that directory (with its
// missing parents) is ever created.
func confineTreefile(treefile string) bool {
	if !filepath.IsAbs(treefile) || filepath.Clean(treefile) != treefile {
		return false
	}
	dir, name := filepath.Split(treefile)
	if name == "" || name == "." || name == ".." || filepath.Base(filepath.Clean(dir)) != treeDirName {
		return false
	}
	if strings.ContainsRune(treefile, 0) {
		return false
	}
	st, err := os.Lstat(treefile)
	switch {
	case err == nil:
		return st.Mode().IsRegular()
	case errors.Is(err, fs.ErrNotExist):
		// The directory, if it exists, must be a real directory (a symlink
		// to one is fine: users relocate ~/.local/share that way).
		dst, err := os.Stat(filepath.Dir(treefile))
		return err == nil && dst.IsDir() || errors.Is(err, fs.ErrNotExist)
	}
	return false
}
