// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gvfs-metadata/compat/resolve"
)

// metafileName names a metafile after a directory URI the way Nautilus
// did: every byte but letters, digits and -._~ as %XX, then ".xml".
func metafileName(uri string) string {
	var b strings.Builder
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; resolve.IsUnreserved(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String() + ".xml"
}

// writeMetafile writes a metafile for uri into dir and returns its path.
func writeMetafile(t *testing.T, dir, uri, body string) string {
	t.Helper()
	p := filepath.Join(dir, metafileName(uri))
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// readMetafile writes and reads a metafile.
func readMetafile(t *testing.T, uri, body string) *Metafile {
	t.Helper()
	m, err := ReadMetafile(writeMetafile(t, t.TempDir(), uri, body))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// problemsText joins problems one per line, for assertions and failure
// messages.
func problemsText(ps []Problem) string {
	var lines []string
	for _, p := range ps {
		lines = append(lines, p.Error())
	}
	return strings.Join(lines, "\n")
}
