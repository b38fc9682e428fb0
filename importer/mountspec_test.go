// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"errors"
	"testing"
)

func TestRemoteTreeNamesFollowGIO(t *testing.T) {
	for _, c := range remoteCases {
		loc, err := ParseLocation(c.uri)
		if err != nil {
			t.Errorf("%s: %v", c.uri, err)
			continue
		}
		if got := loc.Remote.String(); got != c.tree || loc.Path != c.path {
			t.Errorf("%s: tree %q path %q, want %q %q", c.uri, got, loc.Path, c.tree, c.path)
		}
	}
}

func TestMountSpecStringEscapesValuesAndAddsThePrefix(t *testing.T) {
	spec := MountSpec{Type: "dav", Items: map[string]string{
		"user": "a b/c,d=e", "host": "h", "ssl": "true", "x": "$&'()*+~", "u": "été\xff",
	}, Prefix: "/remote.php/web dav"}
	want := "dav:host=h,ssl=true,u=été%FF,user=a%20b%2Fc%2Cd%3De,x=$&'()*+~,prefix=%2Fremote.php%2Fweb%20dav"
	if got := spec.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// The prefix's comma is written even with no items before it.
	if got := (MountSpec{Type: "t", Prefix: "/p"}).String(); got != "t:,prefix=%2Fp" {
		t.Errorf("prefix only: %s", got)
	}
}

func TestChildrenOfRemoteDirectoriesStayInTheirTree(t *testing.T) {
	dir, err := ParseLocation("smb://server/")
	if err != nil {
		t.Fatal(err)
	}
	// Like g_file_get_child: a share listed in a server stays in the
	// server's tree, where the file manager looks for its emblem.
	c := dir.Child("Share")
	if c.Remote.String() != "smb-server:server=server" || c.Path != "/Share" {
		t.Errorf("child of server: %s %s", c.Remote.String(), c.Path)
	}
	dir, _ = ParseLocation("sftp://h/home/me/")
	if c := dir.Child("a b"); c.Path != "/home/me/a b" || c.URI != "sftp://h/home/me/a%20b" {
		t.Errorf("sftp child: %+v", c)
	}
	if c := dir.Child("."); c.URI != dir.URI || c.Path != dir.Path {
		t.Error(`"." is not the directory itself`)
	}
}

func TestOtherSchemesAreUnsupported(t *testing.T) {
	for _, uri := range []string{"x-nautilus-desktop:///", "computer:///", "trash:///", "http://example.com/", "burn:///"} {
		_, err := ParseLocation(uri)
		var u *UnsupportedError
		if !errors.As(err, &u) {
			t.Errorf("%s: %v, want UnsupportedError", uri, err)
		}
	}
	for _, uri := range []string{"sftp://h/a%2Fb", "sftp://h/%zz", "sftp://[::1/x", "file:relative", "file://host"} {
		if _, err := ParseLocation(uri); err == nil || errors.As(err, new(*UnsupportedError)) {
			t.Errorf("%s: %v, want a not-a-URI error", uri, err)
		}
	}
}

func TestLocalLocationsDecodeThePath(t *testing.T) {
	cases := map[string]string{
		"file:///home/me/My%20Pics": "/home/me/My Pics",
		"file:///":                  "/",
		"FILE:///opt/":              "/opt",
		"file://localhost/srv":      "/srv",
		"file:///x#frag":            "/x",
		"file:///caf%E9":            "/caf\xe9",
	}
	for uri, want := range cases {
		loc, err := ParseLocation(uri)
		if err != nil || loc.Local != want {
			t.Errorf("%s: %q %v, want %q", uri, loc.Local, err, want)
		}
	}
	root, _ := ParseLocation("file:///")
	if c := root.Child("tmp"); c.Local != "/tmp" {
		t.Errorf("child of /: %q", c.Local)
	}
}

func TestSMBNamesFoldCase(t *testing.T) {
	cases := map[string]string{"SERVER": "server", "Straße": "strasse", "ÉTÉ": "été", "A\xffB": "a\xffb"}
	for in, want := range cases {
		if got := foldSMB(in); got != want {
			t.Errorf("foldSMB(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnescapeLikeGLib(t *testing.T) {
	ok := map[string]string{"a%20b": "a b", "%2f": "/", "100%25": "100%", "plain": "plain", "%C3%A9": "é"}
	for in, want := range ok {
		if got, good := unescape(in, ""); !good || got != want {
			t.Errorf("unescape(%q) = %q %v", in, got, good)
		}
	}
	for _, bad := range []string{"%", "%2", "%zz", "a%00b"} {
		if got, good := unescape(bad, ""); good {
			t.Errorf("unescape(%q) = %q, want failure", bad, got)
		}
	}
	if _, good := unescape("a%2Fb", "/"); good {
		t.Error("an escaped illegal byte was accepted")
	}
}
