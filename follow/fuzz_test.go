// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import (
	"bytes"
	"testing"
)

// FuzzStateFile feeds hostile state files (a disk hands back anything) to
// the reader: it never panics, and what it accepts it writes back and
// reads again unchanged.
func FuzzStateFile(f *testing.F) {
	f.Add([]byte(stateHeader + "\n2049 12 1700000000000000000 1700000000000000000 5 1 f 0 \"/a b\"\n"))
	f.Add([]byte(stateHeader + "\n2049 13 0 1700000000000000000 0 2 d 1800000000 \"/dir\\nname\"\n"))
	f.Add([]byte(stateHeader + "\n0 0 0 0 0 0 f 1800000000 \"/gone\"\n"))
	f.Add([]byte(stateHeader + "\n18446744073709551615 18446744073709551615 -1 -1 -1 4294967295 f -5 \"/x\"\n"))
	f.Add([]byte("not a state file\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ids, ok := parseState(b)
		if !ok {
			return
		}
		back, ok := parseState(formatState(func(yield func(string, savedEntry)) {
			for p, e := range ids {
				yield(p, e)
			}
		}))
		if !ok {
			t.Fatal("a written state file does not read back")
		}
		if len(back) != len(ids) {
			t.Fatalf("%d identities read back, %d written", len(back), len(ids))
		}
		for p, id := range ids {
			if back[p] != id {
				t.Fatalf("%q: %+v read back as %+v", p, id, back[p])
			}
		}
	})
}

// FuzzEvents feeds hostile bytes to the inotify event splitter: it never
// panics and never returns more events than the bytes can hold.
func FuzzEvents(f *testing.F) {
	ev := func(wd, mask, cookie uint32, name string) []byte {
		var b bytes.Buffer
		for _, v := range []uint32{wd, mask, cookie, uint32(len(name))} {
			b.Write([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
		}
		b.WriteString(name)
		return b.Bytes()
	}
	f.Add(append(ev(1, 0x40, 7, "a\x00\x00\x00"), ev(1, 0x80, 7, "b\x00\x00\x00")...))
	f.Add(ev(0xffffffff, 0x4000, 0, ""))
	f.Add(ev(1, 0x40, 1, "x")[:10])
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, _ := parseEvents(b)
		if len(evs)*16 > len(b) {
			t.Fatalf("%d events from %d bytes", len(evs), len(b))
		}
	})
}
