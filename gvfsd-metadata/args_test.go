package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/godbus/dbus/v5"
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

func TestParseSetDataChecksEveryValueFirst(t *testing.T) {
	entries, err := parseSetData(map[string]dbus.Variant{
		"s": dbus.MakeVariant("v"), "l": dbus.MakeVariant([]string{"a"}), "u": dbus.MakeVariant(byte(0)),
	})
	if err != nil || len(entries) != 3 || entries[0].key != "l" || entries[0].kind != 'a' || entries[1].kind != 's' || entries[2].kind != 'y' {
		t.Fatalf("%+v %v", entries, err)
	}
	_, err = parseSetData(map[string]dbus.Variant{"ok": dbus.MakeVariant("v"), "bad": dbus.MakeVariant(int32(5))})
	if err == nil || err.name != errInvalidArgs || !strings.Contains(err.msg, "“bad”") || !strings.Contains(err.msg, "“i”") {
		t.Fatalf("int value: %v", err)
	}
	if _, err := parseSetData(map[string]dbus.Variant{"": dbus.MakeVariant("v")}); err == nil {
		t.Fatal("empty key accepted")
	}
	if _, err := parseSetData(map[string]dbus.Variant{"k": dbus.MakeVariant([]byte("x"))}); err == nil {
		t.Fatal("byte array accepted")
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
