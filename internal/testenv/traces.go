// SPDX-License-Identifier: LGPL-2.0-or-later

package testenv

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// FilesHolding searches every regular file under dirs (each a directory
// or a file) for each of words, as `strings` or `grep -a` would find them,
// and lists "name holds word" for each hit. The tests of forgetting use it
// to show that removed metadata left no bytes behind. A file removed
// while it is read is skipped: a rotation may unlink it at any moment.
func FilesHolding(t testing.TB, words []string, dirs ...string) []string {
	t.Helper()
	var found []string
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil && !os.IsNotExist(err) {
				t.Error(err)
			}
			for _, w := range words {
				if bytes.Contains(b, []byte(w)) {
					found = append(found, p+" holds "+w)
				}
			}
			return nil
		})
	}
	return found
}
