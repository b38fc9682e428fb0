// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestConfineTreefileAcceptsOnlyFilesDirectlyInGvfsMetadata(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "gvfs-metadata")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "home"), nil, 0o600)
	os.Symlink("/etc/passwd", filepath.Join(dir, "link"))
	os.Mkdir(filepath.Join(dir, "subdir"), 0o700)
	other := filepath.Join(base, "elsewhere")
	os.MkdirAll(filepath.Join(other, "gvfs-metadata"), 0o700)
	os.MkdirAll(filepath.Join(base, "linked"), 0o700)
	os.Symlink(filepath.Join(other, "gvfs-metadata"), filepath.Join(base, "linked", "gvfs-metadata"))

	cases := map[string]bool{
		filepath.Join(dir, "home"):                             true,
		filepath.Join(dir, "uuid-1234-abcd"):                   true,
		filepath.Join(dir, "sftp:host=example.com,user=me"):    true,
		filepath.Join(base, "new", "gvfs-metadata", "root"):    true, // missing parents may be created
		filepath.Join(base, "linked", "gvfs-metadata", "home"): true, // a relocated data dir
		"home":                              false,
		"gvfs-metadata/home":                false,
		filepath.Join(base, "home"):         false,
		filepath.Join(base, "evil", "tree"): false,
		dir + "/../gvfs-metadata/home":      false,
		dir + "//home":                      false,
		dir + "/./home":                     false,
		dir + "/":                           false,
		dir:                                 false,
		filepath.Join(dir, "link"):          false,
		filepath.Join(dir, "subdir"):        false,
		filepath.Join(dir, "subdir", "x"):   false,
		filepath.Join(os.Getenv("HOME"), ".bashrc"): false,
		"/": false,
		"":  false,
	}
	for path, want := range cases {
		if got := confineTreefile(path); got != want {
			t.Errorf("confineTreefile(%q) = %v, want %v", path, got, want)
		}
	}
}
