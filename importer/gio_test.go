// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
	"gvfs-metadata/store"
)

// mountFiles describe the remote backends to gvfsd the way Debian's
// gvfs-backends does on a desktop (scheme, aliases, default port, whether
// the host is an internet name): facts the client's naming depends on.
var mountFiles = map[string]string{
	"sftp.mount":       "Type=sftp\nScheme=sftp\nSchemeAliases=ssh\nDefaultPort=22\nHostnameIsInetAddress=true\n",
	"ftp.mount":        "Type=ftp\nScheme=ftp\nDefaultPort=21\nHostnameIsInetAddress=true\n",
	"ftps.mount":       "Type=ftps\nScheme=ftps\nDefaultPort=21\nHostnameIsInetAddress=true\n",
	"ftpis.mount":      "Type=ftpis\nScheme=ftpis\nDefaultPort=990\nHostnameIsInetAddress=true\n",
	"dav.mount":        "Type=dav;davs\n",
	"smb.mount":        "Type=smb-share\nScheme=smb\n",
	"smb-browse.mount": "Type=smb-network;smb-server\nScheme=smb\n",
}

// TestRemoteTreeNamesMatchGioSet has the real client set a key on every
// remote location of remoteCases (no mount is needed to set metadata) and
// finds it in the tree and at the path this package computes.
func TestRemoteTreeNamesMatchGioSet(t *testing.T) {
	testenv.RequireSession(t)
	s, err := session.Start(session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mounts := filepath.Join(s.Root, "mounts")
	os.MkdirAll(mounts, 0o755)
	for name, body := range mountFiles {
		if err := os.WriteFile(filepath.Join(mounts, name), []byte("[Mount]\nExec=/bin/false\nAutoMount=false\n"+body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// gvfsd, activated by the first gio call, reads them from here.
	conn, err := s.Connect()
	if err != nil {
		t.Fatal(err)
	}
	err = conn.BusObject().Call("org.freedesktop.DBus.UpdateActivationEnvironment", 0, map[string]string{"GVFS_MOUNTABLE_DIR": mounts}).Err
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range remoteCases {
		if _, _, err := s.Gio("set", c.uri, "metadata::probe", strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range remoteCases {
		loc, err := ParseLocation(c.uri)
		if err != nil {
			t.Fatal(err)
		}
		treefile := filepath.Join(s.DataHome, "gvfs-metadata", loc.Remote.String())
		st, err := store.Open(treefile, store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		v, found, err := st.Get(loc.Path, "probe")
		st.Close()
		if err != nil || !found {
			names, _ := filepath.Glob(filepath.Join(s.DataHome, "gvfs-metadata", "*"))
			t.Errorf("%s: gio did not write to tree %q path %q (%v); trees: %q", c.uri, loc.Remote.String(), loc.Path, err, names)
			continue
		}
		// Several cases share a tree and path; the last write wins.
		last := i
		for j := i + 1; j < len(remoteCases); j++ {
			if l2, _ := ParseLocation(remoteCases[j].uri); l2.Remote.String() == loc.Remote.String() && l2.Path == loc.Path {
				last = j
			}
		}
		if v.Value != strconv.Itoa(last) {
			t.Errorf("%s: probe %q at %q %q, want %d", c.uri, v.Value, loc.Remote.String(), loc.Path, last)
		}
	}
}
