// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"gvfs-metadata/format"
)

// journalPath names the journal of the tree at treePath with tag. On NFS
// the journal lives in the user's runtime directory instead, so that two
// machines sharing one NFS home never append to the same journal.
func journalPath(fs FS, treePath string, tag uint32, nfs bool, runtimeDir string) string {
	if nfs && runtimeDir != "" {
		dir := filepath.Join(runtimeDir, "gvfs-metadata")
		if err := fs.MkdirAll(dir, 0o700); err == nil {
			return format.JournalFilename(filepath.Join(dir, filepath.Base(treePath)), tag)
		}
	}
	return format.JournalFilename(treePath, tag)
}

// openFile opens name for reading (or writing). On NFS it opens it through
// a private hard link that it unlinks at once: when another client then
// removes the file, the server keeps our link's inode alive instead of
// answering ESTALE on every later read.
func openFile(fs FS, name string, write, nfs bool) (File, error) {
	open := fs.Open
	if write {
		open = fs.OpenWrite
	}
	if !nfs {
		return open(name)
	}
	tmp, err := linkToTemp(fs, name)
	if err != nil {
		// Opening the real name still works, only less robustly.
		return open(name)
	}
	f, err := open(tmp)
	_ = fs.Remove(tmp)
	return f, err
}

func linkToTemp(fs FS, name string) (string, error) {
	dir := filepath.Dir(name)
	for range 100 {
		tmp := filepath.Join(dir, ".open"+randomSuffix())
		err := fs.Link(name, tmp)
		if err == nil {
			return tmp, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("no free temporary name to link %s", name)
}

const suffixChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomSuffix() string {
	b := make([]byte, 6)
	for i := range b {
		b[i] = suffixChars[rand.IntN(len(suffixChars))]
	}
	return string(b)
}
