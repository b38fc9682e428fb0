// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"fmt"
	"path/filepath"
	"strings"
)

// URIFromFileName decodes the directory URI a metafile is named after:
// Nautilus escaped every reserved byte of the URI as %XX and appended
// ".xml" (file:///home/me → "file:%2F%2F%2Fhome%2Fme.xml"). Only the base
// name counts. A name without the suffix, with a broken escape or that
// does not decode to "scheme:..." is an error.
func URIFromFileName(name string) (string, error) {
	base := filepath.Base(name)
	escaped, ok := strings.CutSuffix(base, ".xml")
	if !ok || escaped == "" {
		return "", fmt.Errorf("file name %q is not <escaped URI>.xml", base)
	}
	var b strings.Builder
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		if c == '%' {
			if i+2 >= len(escaped) || !isHex(escaped[i+1]) || !isHex(escaped[i+2]) {
				return "", fmt.Errorf("file name %q has a broken %%XX escape at byte %d", base, i)
			}
			c = unhex(escaped[i+1])<<4 | unhex(escaped[i+2])
			i += 2
		}
		if c == 0 {
			return "", fmt.Errorf("file name %q decodes to a URI with a NUL byte", base)
		}
		b.WriteByte(c)
	}
	uri := b.String()
	if _, ok := schemeOf(uri); !ok {
		return "", fmt.Errorf("file name %q does not decode to a URI (got \"%s\")", base, printable(uri))
	}
	return uri, nil
}
