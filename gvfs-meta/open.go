// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"os"

	"gvfs-metadata/store"
)

// openTree opens, read-only, a tree file that must exist. The store reads
// a missing tree as an empty one, as GIO readers do; a command given a
// tree by name must not, or a typo in a backup script writes an empty
// backup and exits 0.
func openTree(path string) (*store.Store, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a metadata tree file", path)
	}
	return store.Open(path, store.Options{ReadOnly: true})
}
