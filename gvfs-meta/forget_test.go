// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gvfs-metadata/compat/client"
	"gvfs-metadata/format"
	"gvfs-metadata/internal/gioinfo"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
)

// TestForgetLeavesNoTraceInAnyFile: values set under a directory, then
// flushed into the tree (so the names are in the tree file); forget of the
// directory removes them all from what gio shows, keeps the files outside,
// and when it returns no file of the metadata directory, the runtime
// directory or the follower's state holds a removed name or value.
func TestForgetLeavesNoTraceInAnyFile(t *testing.T) {
	s := ourSession(t)
	secret := filepath.Join(s.Home, "Zq7Secret")
	outside := filepath.Join(s.Home, "kept.txt")
	touch(t, filepath.Join(secret, "a.txt"), filepath.Join(secret, "Sub9dir", "b.txt"), outside)
	for f, v := range map[string]string{filepath.Join(secret, "a.txt"): "Xv9private", filepath.Join(secret, "Sub9dir", "b.txt"): "Wq4hidden", outside: "kept"} {
		if _, _, err := s.Gio("set", f, "metadata::note", v); err != nil {
			t.Fatal(err)
		}
	}
	words := []string{"Zq7Secret", "Xv9private", "Sub9dir", "Wq4hidden"}
	dirs := []string{filepath.Join(s.DataHome, "gvfs-metadata"), filepath.Join(s.RuntimeDir, "gvfs-metadata"), filepath.Join(s.Home, ".local", "state")}
	// Written out as the daemon does a minute after a change: the names
	// are in the tree file now.
	conn, err := s.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tree := filepath.Join(s.DataHome, "gvfs-metadata", "home")
	if err := client.New(conn).Flush([]string{tree}); err != nil {
		t.Fatal(err)
	}
	if len(testenv.FilesHolding(t, words, tree)) == 0 {
		t.Fatal("the names are not in the tree file before forget: the test would prove nothing")
	}
	code, out, errOut := inSession(t, s, "forget", "--dry-run", filepath.Join(s.Home, "nothing-here"))
	if code != exitOK || !strings.Contains(out, "0 entries would be forgotten") {
		t.Fatalf("forget --dry-run of a path without metadata: exit %d %q %s", code, out, errOut)
	}

	code, out, errOut = inSession(t, s, "forget", "--dry-run", secret)
	if code != exitOK || !strings.Contains(out, "2 entries would be forgotten") {
		t.Fatalf("forget --dry-run: exit %d, %q %q", code, out, errOut)
	}
	code, out, errOut = inSession(t, s, "forget", secret)
	if code != exitOK || !strings.HasPrefix(out, "forgot 2 entries") {
		t.Fatalf("forget: exit %d, %q %q", code, out, errOut)
	}
	md, err := gioinfo.Query(s, filepath.Join(secret, "a.txt"), filepath.Join(secret, "Sub9dir", "b.txt"), outside)
	if err != nil {
		t.Fatal(err)
	}
	if len(md[0]) != 0 || len(md[1]) != 0 || md[2]["note"] != "kept" {
		t.Errorf("after forget, gio info shows %v %v, and %v outside", md[0], md[1], md[2])
	}
	if found := testenv.FilesHolding(t, words, dirs...); len(found) > 0 {
		t.Errorf("after forget returned: %s", strings.Join(found, "; "))
	}
}

// TestForgetOlderThanKeepsNewerEntries: only entries last changed before
// the cutoff go; a newer entry below an old one stays.
func TestForgetOlderThanKeepsNewerEntries(t *testing.T) {
	s := ourSession(t)
	old, dir, newer := filepath.Join(s.Home, "old.txt"), filepath.Join(s.Home, "dir"), filepath.Join(s.Home, "dir", "new.txt")
	touch(t, old, newer)
	for _, f := range []string{old, dir} {
		if _, _, err := s.Gio("set", f, "metadata::note", "old"); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(3100 * time.Millisecond) // times are whole seconds: old ones are 2 s older than the cutoff's second at least
	if _, _, err := s.Gio("set", newer, "metadata::note", "new"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := inSession(t, s, "forget", "--older-than", "2s", s.Home)
	if code != exitOK || !strings.HasPrefix(out, "forgot 2 entries") {
		t.Fatalf("forget --older-than: exit %d, %q %q", code, out, errOut)
	}
	md, err := gioinfo.Query(s, old, dir, newer)
	if err != nil {
		t.Fatal(err)
	}
	if md[0]["note"] != "" || md[1]["note"] != "" || md[2]["note"] != "new" {
		t.Errorf("after forget --older-than 2s: %v %v %v; want only the newer entry kept", md[0], md[1], md[2])
	}
	if code, _, _ := inSession(t, s, "forget", "--older-than", "soon", old); code != exitUsage {
		t.Errorf("forget --older-than soon: exit %d, want a usage error", code)
	}
}

// TestForgetOlderPlansByLastChange checks the plan against a fake "now":
// a subtree whose entries are all older goes in one Remove, an old entry
// with a newer one below loses its keys only, an entry of unknown age
// stays.
func TestForgetOlderPlansByLastChange(t *testing.T) {
	kv := []format.KeyValue{{Key: "note", Value: "x"}}
	root := &format.Node{Name: "/", Children: []*format.Node{
		{Name: "a", LastChanged: 100, Keys: kv, Children: []*format.Node{{Name: "b", LastChanged: 150, Keys: kv}}},
		{Name: "c", LastChanged: 100, Keys: kv, Children: []*format.Node{{Name: "d", LastChanged: 300, Keys: kv}}},
		{Name: "e", LastChanged: 0, Keys: kv},
	}}
	var p forgetPlan
	p.addOlder("/t/gvfs-metadata/home", "/", root, 200)
	var got []string
	for _, it := range p.items {
		got = append(got, it.path+map[bool]string{true: " keys", false: " all"}[it.keysOnly])
	}
	want := "/a all,/c keys"
	if strings.Join(got, ",") != want || p.entries != 3 {
		t.Errorf("plan %v (%d entries), want %s (3 entries)", got, p.entries, want)
	}
}

// TestForgetWithTheCDaemonSaysTheBytesStay: the reference removes what
// forget asks, but cannot be asked to write its trees out.
func TestForgetWithTheCDaemonSaysTheBytesStay(t *testing.T) {
	testenv.RequireSession(t)
	s, err := session.Start(session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	f := filepath.Join(s.Home, "f.txt")
	touch(t, f)
	if _, _, err := s.Gio("set", f, "metadata::note", "x"); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := inSession(t, s, "forget", f)
	if code != exitProblems || !strings.Contains(errOut, "cannot be asked to write its trees out") {
		t.Errorf("forget with the C daemon: exit %d, %q", code, errOut)
	}
	md, err := gioinfo.Query(s, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(md[0]) != 0 {
		t.Errorf("the C daemon still shows %v", md[0])
	}
}
