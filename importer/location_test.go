// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"errors"
	"testing"

	"gvfs-metadata/compat/resolve"
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
		var u *resolve.UnsupportedError
		if !errors.As(err, &u) {
			t.Errorf("%s: %v, want UnsupportedError", uri, err)
		}
	}
	for _, uri := range []string{"sftp://h/a%2Fb", "sftp://h/%zz", "sftp://[::1/x", "file:relative", "file://host"} {
		if _, err := ParseLocation(uri); err == nil || errors.As(err, new(*resolve.UnsupportedError)) {
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
