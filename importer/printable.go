// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// printable shows a string of arbitrary bytes on a terminal: valid UTF-8
// as it is, every other byte as \xNN, so that names in a legacy encoding
// are visible and unambiguous.
func printable(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
