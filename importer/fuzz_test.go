// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"bytes"
	"testing"

	"gvfs-metadata/compat/resolve"
)

// FuzzParse feeds arbitrary bytes to the parser: it must never panic,
// every entry it passes on must have a usable name, and every problem a
// line inside the input.
func FuzzParse(f *testing.F) {
	f.Add([]byte(sampleDir))
	f.Add([]byte(importDir))
	f.Add([]byte("<directory>\n<file name=\"a\"><keyword name=\"k\"><x/></keyword></file><y/>"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		lines := bytes.Count(doc, []byte("\n")) + 1
		Parse(bytes.NewReader(doc), "fuzz.xml", func(e Entry) {
			if e.Name == "" || e.Name == ".." || bytes.ContainsAny([]byte(e.Name), "/\x00") {
				t.Fatalf("entry with name %q", e.Name)
			}
		}, func(p Problem) {
			if p.Line < 1 || p.Line > lines {
				t.Fatalf("problem at line %d of %d: %v", p.Line, lines, p)
			}
		})
	})
}

// FuzzParseLocation: any string either fails or gives a location whose
// tree path is canonical.
func FuzzParseLocation(f *testing.F) {
	for _, c := range remoteCases {
		f.Add(c.uri)
	}
	f.Add("file:///home/me/x%20y")
	f.Fuzz(func(t *testing.T, uri string) {
		loc, err := ParseLocation(uri)
		if err != nil {
			return
		}
		if loc.IsLocal() {
			if loc.Local[0] != '/' {
				t.Fatalf("%q: local path %q", uri, loc.Local)
			}
			return
		}
		if loc.Path != resolve.CleanPath(loc.Path) || loc.Remote.Type == "" {
			t.Fatalf("%q: %+v", uri, loc)
		}
		_ = loc.Remote.String()
	})
}
