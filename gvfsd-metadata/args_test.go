// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf8"

	"gvfs-metadata/bus"
	"gvfs-metadata/format"
)

func TestBytestringStripsOneTrailingNULAndRefusesOthers(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"/a\x00", "/a", true},
		{"/a", "/a", true},
		{"/a\x00\x00", "", false},
		{"/a\x00b\x00", "", false},
		{"\x00", "", true},
		{"", "", true},
		{"/caf\xe9\x00", "/caf\xe9", true},
	}
	for _, c := range cases {
		got, err := bytestring("path", []byte(c.in))
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("bytestring(%q) = %q, %v", c.in, got, err)
		}
		if err != nil && err.name != errInvalidArgs {
			t.Errorf("error name %s", err.name)
		}
	}
}

func TestCheckPathAcceptsCanonicalAbsolutePaths(t *testing.T) {
	good := []string{"/", "/a", "/a b/c\xff", "/.hidden/x", "/a/..b"}
	bad := []string{"", "a", "relative/x", "//a", "/a/", "/a//b", "/a/./b", "/a/../b", "/.", "/.."}
	for _, p := range good {
		if err := checkPath("path", p); err != nil {
			t.Errorf("%q refused: %v", p, err)
		}
	}
	for _, p := range bad {
		if err := checkPath("path", p); err == nil || err.name != errInvalidArgs {
			t.Errorf("%q accepted", p)
		}
	}
}

func TestIsAncestor(t *testing.T) {
	cases := map[[2]string]bool{
		{"/d", "/d/sub"}: true, {"/", "/x"}: true, {"/d", "/d"}: false, {"/d", "/dx"}: false,
		{"/d/sub", "/d"}: false, {"/", "/"}: false,
	}
	for c, want := range cases {
		if got := isAncestor(c[0], c[1]); got != want {
			t.Errorf("isAncestor(%q, %q) = %v", c[0], c[1], got)
		}
	}
}

// dict decodes Set's a{sv} made by dictBytes.
func dict(pairs ...any) *bus.Decoder {
	return bus.NewDecoder(binary.LittleEndian, dictBytes(pairs...))
}

// dictBytes encodes Set's a{sv} from key, value pairs in wire order; a
// value is a string, a []string, a byte, an int32 or a []byte.
func dictBytes(pairs ...any) []byte {
	var e bus.Encoder
	m := e.Array(8)
	for i := 0; i < len(pairs); i += 2 {
		e.Struct()
		e.Str(pairs[i].(string))
		switch v := pairs[i+1].(type) {
		case string:
			e.Signature("s")
			e.Str(v)
		case []string:
			e.Signature("as")
			a := e.Array(4)
			for _, s := range v {
				e.Str(s)
			}
			e.EndArray(a)
		case byte:
			e.Signature("y")
			e.Byte(v)
		case int32:
			e.Signature("i")
			e.Uint32(uint32(v))
		case []byte:
			e.Signature("ay")
			e.ByteArray(v)
		}
	}
	e.EndArray(m)
	return e.Bytes()
}

func TestParseSetDataChecksEveryValueFirst(t *testing.T) {
	entries, err := parseSetData(dict("s", "v", "l", []string{"a", "b"}, "u", byte(0)))
	if err != nil || len(entries) != 3 || entries[0].Key != "l" || entries[0].Op != format.OpSetList || len(entries[0].List) != 2 || entries[0].List[1] != "b" ||
		entries[1].Op != format.OpSet || entries[1].Value != "v" || entries[2].Op != format.OpUnset {
		t.Fatalf("%+v %v", entries, err)
	}
	_, err = parseSetData(dict("ok", "v", "bad", int32(5)))
	if err == nil || err.name != errInvalidArgs || !strings.Contains(err.msg, "“bad”") || !strings.Contains(err.msg, "“i”") {
		t.Fatalf("int value: %v", err)
	}
	if _, err := parseSetData(dict("", "v")); err == nil {
		t.Fatal("empty key accepted")
	}
	if _, err := parseSetData(dict("k", []byte("x"))); err == nil {
		t.Fatal("byte array accepted")
	}
}

// TestParseSetDataKeepsTheLastOfARepeatedKey: a dictionary may repeat a
// key on the wire; the value sent last wins, as when each is applied in
// turn, and the entries come out in key order.
func TestParseSetDataKeepsTheLastOfARepeatedKey(t *testing.T) {
	entries, err := parseSetData(dict("b", "first", "a", "x", "b", "second", "b", []string{"third"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Key != "a" || entries[1].Key != "b" || entries[1].Op != format.OpSetList || entries[1].List[0] != "third" {
		t.Fatalf("%+v", entries)
	}
}

// TestParseSetDataRefusesATruncatedDictionary: arguments that do not
// decode are an error, not a partial Set.
func TestParseSetDataRefusesATruncatedDictionary(t *testing.T) {
	whole := dictBytes("k", "value")
	for n := 0; n < len(whole); n++ {
		if _, err := parseSetData(bus.NewDecoder(binary.LittleEndian, whole[:n])); err == nil || err.name != errInvalidArgs {
			t.Fatalf("%d of %d bytes: %v", n, len(whole), err)
		}
	}
}

func TestErrorMessagesAreAlwaysValidUTF8(t *testing.T) {
	bad := "/caf\xe9/\xff\xfe" + strings.Repeat("x", 5000)
	for _, e := range []*callError{notFound(bad), invalidArgs("Path “%s” is bad", bad)} {
		if !utf8.ValidString(e.msg) {
			t.Errorf("%q is not UTF-8: the reply could not be sent", e.msg)
		}
		if len(e.msg) > 5000 {
			t.Errorf("message of %d bytes", len(e.msg))
		}
	}
	if got := notFound("/a/gvfs-metadata/home").msg; got != "Can’t find metadata file /a/gvfs-metadata/home" {
		t.Errorf("%q", got)
	}
}
