// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestNFSTreeKeepsItsJournalInTheRuntimeDir: on NFS the journal goes to
// $XDG_RUNTIME_DIR/gvfs-metadata (two machines sharing a home must never
// append to one journal), and files are opened through a private link that
// is removed at once.
func TestNFSTreeKeepsItsJournalInTheRuntimeDir(t *testing.T) {
	mfs := newMemFS()
	mfs.nfs = true
	const tree = "/nfs/home/u/.local/share/gvfs-metadata/home"
	s, err := Open(tree, Options{FS: mfs, RuntimeDir: "/run/user/1000"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.OnNFS() {
		t.Fatal("store does not know it is on NFS")
	}
	st, _ := s.Stats()
	if dir := filepath.Dir(st.JournalPath); dir != "/run/user/1000/gvfs-metadata" {
		t.Fatalf("journal in %s", dir)
	}
	if !strings.HasPrefix(filepath.Base(st.JournalPath), "home-") {
		t.Fatalf("journal named %s", st.JournalPath)
	}
	if err := s.Set("/a", "k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(tree, Options{FS: mfs, RuntimeDir: "/run/user/1000", ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if v, ok, _ := r.Get("/a", "k"); !ok || v.Value != "v" {
		t.Fatalf("reader on NFS: %+v %v", v, ok)
	}
	links := 0
	for _, op := range mfs.log {
		if op.kind == opLink && strings.Contains(op.path2, "/.open") {
			links++
		}
	}
	if links == 0 {
		t.Fatal("files on NFS were not opened through a private link")
	}
	for name := range mfs.names {
		if strings.Contains(name, "/.open") {
			t.Fatalf("private link %s left behind", name)
		}
	}
}
