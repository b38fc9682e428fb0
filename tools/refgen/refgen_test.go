// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"reflect"
	"strings"
	"testing"

	"gvfs-metadata/format"
)

// The generator's own logic, without the reference: a wrong model or parser
// would make every manifest check meaningless or fail for the wrong reason.

func TestModelMoveReplacesDestinationSubtree(t *testing.T) {
	m := NewModel()
	m.Set("/a/x", "k", Str("ax"))
	m.Set("/b", "k", Str("b"))
	m.Set("/b/y", "k", Str("by"))
	m.Set("/b2", "k", Str("sibling"))
	m.Move("/a", "/b")
	e := m.Expect()
	want := map[string]Keys{"/b/x": {"k": Str("ax")}, "/b2": {"k": Str("sibling")}}
	if !reflect.DeepEqual(e.Entries, want) {
		t.Fatalf("entries %v, want %v", e.Entries, want)
	}
	if want := []string{"/a/x", "/b", "/b/y"}; !reflect.DeepEqual(e.Absent, want) {
		t.Fatalf("absent %q, want %q", e.Absent, want)
	}
}

func TestModelRemoveKeepsPrefixSiblings(t *testing.T) {
	m := NewModel()
	for _, p := range []string{"/d", "/d/c", "/d2", "/d.txt"} {
		m.Set(p, "k", Str(p))
	}
	m.Remove("/d")
	if got := m.Expect().SortedPaths(); !reflect.DeepEqual(got, []string{"/d.txt", "/d2"}) {
		t.Fatalf("left %q", got)
	}
}

func TestModelUnsetOfOnlyKeyMakesPathAbsent(t *testing.T) {
	m := NewModel()
	m.Set("/f", "k", List())
	m.Unset("/f", "k")
	e := m.Expect()
	if len(e.Entries) != 0 || !reflect.DeepEqual(e.Absent, []string{"/f"}) {
		t.Fatalf("entries %v absent %q", e.Entries, e.Absent)
	}
}

func TestGioStringOfLists(t *testing.T) {
	for _, c := range []struct {
		v    format.KeyValue
		want string
	}{
		{List(), "[]"},
		{List("a, b", "c"), "[a, b, c]"},
		{Str(""), ""},
	} {
		if got := gioString(c.v); got != c.want {
			t.Errorf("%v: %q, want %q", c.v, got, c.want)
		}
	}
}

func TestManifestUsesBase64ForNonUTF8Paths(t *testing.T) {
	m := NewModel()
	m.Set("/bad\xff", "l", List())
	m.Set("/ok", "s", Str("<&>"))
	m.Set("/gone", "s", Str("x"))
	m.Remove("/gone")
	data, err := marshalManifest("d", "home-00000001.log", m.Expect())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"s":"<&>"`) {
		t.Errorf("HTML-escaped or missing value:\n%s", data)
	}
	var got struct {
		Journal string
		Entries []struct {
			Path       string         `json:"path"`
			PathBase64 string         `json:"path_base64"`
			Keys       map[string]any `json:"keys"`
		}
		Absent []map[string]string
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Entries[0].PathBase64 != "L2JhZP8=" || got.Entries[1].Path != "/ok" {
		t.Errorf("entries %+v", got.Entries)
	}
	if l, ok := got.Entries[0].Keys["l"].([]any); !ok || len(l) != 0 {
		t.Errorf("empty list came out as %#v", got.Entries[0].Keys["l"])
	}
	if !reflect.DeepEqual(got.Absent, []map[string]string{{"path": "/gone"}}) {
		t.Errorf("absent %v", got.Absent)
	}
}

// journalWith builds a journal holding the given set entries, laid out as
// FORMAT.md describes.
func journalWith(sets ...[3]string) []byte {
	b := make([]byte, 20, 4096)
	copy(b, journalMagic)
	b[6] = 1
	for _, s := range sets {
		body := []byte{0, 0, 0, 0, 0, 0, 0, 1, 0} // mtime, op set
		body = append(body, s[0]+"\x00"+s[1]+"\x00"+s[2]+"\x00"...)
		for (len(body)+12)%4 != 0 {
			body = append(body, 0)
		}
		size := uint32(len(body) + 12)
		body = binary.BigEndian.AppendUint32(body, size)
		e := binary.BigEndian.AppendUint32(nil, size)
		e = binary.BigEndian.AppendUint32(e, crc32.ChecksumIEEE(body))
		b = append(b, append(e, body...)...)
	}
	binary.BigEndian.PutUint32(b[16:], uint32(len(sets)))
	b = append(b, make([]byte, 1024)...)
	binary.BigEndian.PutUint32(b[12:], uint32(len(b)))
	return b
}

func TestFlippingLastValueByteBreaksOnlyTheLastEntry(t *testing.T) {
	j := journalWith([3]string{"/a", "k", "before"}, [3]string{"/a", "k", "after"})
	info, err := parseJournal(j)
	if err != nil || len(info.Entries) != 2 {
		t.Fatalf("%v, %d entries", err, len(info.Entries))
	}
	at, err := setValueEnd(j, info.Entries[1])
	if err != nil {
		t.Fatal(err)
	}
	if j[at] != 'r' {
		t.Fatalf("byte at %d is %q, want the last byte of \"after\"", at, j[at])
	}
	j[at] ^= 1
	damaged, err := parseJournal(j)
	if err == nil || len(damaged.Entries) != 1 {
		t.Fatalf("after the flip: %v, %d valid entries", err, len(damaged.Entries))
	}
}
