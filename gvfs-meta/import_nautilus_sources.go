// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// nautilusMarker is the file GNOME 2.28 and later created in the
// metafiles directory once its metadata had been migrated; this command
// creates and honours the same one.
const nautilusMarker = "migrated-to-gvfs"

// nautilusSourceSet is what the operands name.
type nautilusSourceSet struct {
	files []string // metafiles to read, in order
	dirs  []string // directories they came from, to mark as imported
	done  []string // directories skipped because they carry the marker
}

// nautilusSources expands the operands (default: ~/.nautilus/metafiles):
// a directory gives its *.xml files in name order, a file itself. With
// honourMarker, a directory holding the marker is left out.
func nautilusSources(args []string, home string, honourMarker bool) (nautilusSourceSet, error) {
	var set nautilusSourceSet
	if len(args) == 0 {
		dir := filepath.Join(home, ".nautilus", "metafiles")
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return set, nil
		}
		args = []string{dir}
	}
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return set, err
		}
		if !st.IsDir() {
			set.files = append(set.files, a)
			continue
		}
		if honourMarker {
			if _, err := os.Lstat(filepath.Join(a, nautilusMarker)); err == nil {
				set.done = append(set.done, a)
				continue
			}
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return set, err
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".xml") && !e.IsDir() {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			set.files = append(set.files, filepath.Join(a, n))
		}
		set.dirs = append(set.dirs, a)
	}
	return set, nil
}

// markNautilusImported creates the marker in dir.
func markNautilusImported(dir string) error {
	f, err := os.OpenFile(filepath.Join(dir, nautilusMarker), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("cannot mark %s as imported: %w", dir, err)
	}
	return f.Close()
}
