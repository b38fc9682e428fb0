// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"encoding/binary"
	"testing"
)

// TestStrSendsOnlyValidDBusStrings: whatever a message would carry goes
// out as UTF-8 without NULs (the bus disconnects a sender of anything
// else), and valid strings go out unchanged.
func TestStrSendsOnlyValidDBusStrings(t *testing.T) {
	for in, want := range map[string]string{
		"label-Photos": "label-Photos",
		"café ✓":       "café ✓",
		"bad\xffbyte":  "bad\uFFFDbyte",
		"inner\x00nul": "inner\uFFFDnul",
		"\x00\xfe\xff": "\uFFFD\uFFFD",
		"":             "",
	} {
		var e Encoder
		e.Str(in)
		d := NewDecoder(binary.LittleEndian, e.Bytes())
		if got := d.Str(); got != want || !d.Done() {
			t.Errorf("Str(%q) sent %q (%v), want %q", in, got, d.Err(), want)
		}
	}
}
