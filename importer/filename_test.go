// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"strings"
	"testing"
)

func TestURIFromFileNameDecodesEscapedURIs(t *testing.T) {
	cases := map[string]string{
		"file:%2F%2F%2Fhome%2Fme.xml":                    "file:///home/me",
		"/x/y/file:%2F%2F%2Fhome%2Fme%2FMy%2520Pics.xml": "file:///home/me/My%20Pics",
		"file:%2F%2F%2F.xml":                             "file:///",
		"file%3A%2f%2f%2fopt.xml":                        "file:///opt", // lower-case hex, escaped colon
		"sftp:%2F%2Fme@example.com%2Fhome%2Fme.xml":      "sftp://me@example.com/home/me",
		"x-nautilus-desktop:%2F%2F%2F.xml":               "x-nautilus-desktop:///",
	}
	for name, want := range cases {
		got, err := URIFromFileName(name)
		if err != nil || got != want {
			t.Errorf("URIFromFileName(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestURIFromFileNameRejectsNamesThatAreNotURIs(t *testing.T) {
	cases := map[string]string{
		"notes.txt":                 "not <escaped URI>.xml",
		".xml":                      "not <escaped URI>.xml",
		"file:%2F%2F%2Fhome%2.xml":  "broken %XX escape",
		"file:%2F%2F%2Fhome%ZZ.xml": "broken %XX escape",
		"file:%2F%00.xml":           "NUL",
		"%2Fhome%2Fme.xml":          "does not decode to a URI",
		"1abc:%2F%2F.xml":           "does not decode to a URI",
		"my photos.xml":             "does not decode to a URI",
	}
	for name, want := range cases {
		got, err := URIFromFileName(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("URIFromFileName(%q) = %q, %v; want an error about %q", name, got, err, want)
		}
	}
}
