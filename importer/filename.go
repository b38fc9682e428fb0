// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"fmt"
	"path/filepath"
	"strings"

	"gvfs-metadata/compat/resolve"
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
	uri, ok := resolve.Unescape(escaped, "")
	if !ok {
		if strings.Contains(escaped, "%00") {
			return "", fmt.Errorf("file name %q decodes to a URI with a NUL byte", base)
		}
		return "", fmt.Errorf("file name %q has a broken %%XX escape", base)
	}
	if _, ok := resolve.SchemeOf(uri); !ok {
		return "", fmt.Errorf("file name %q does not decode to a URI (got \"%s\")", base, printable(uri))
	}
	return uri, nil
}
