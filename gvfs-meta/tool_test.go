// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gvfs-metadata/internal/gioinfo"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Run(m)) }

// ourDaemon is gvfsd-metadata, built once for the package's tests.
func ourDaemon(t *testing.T) string {
	t.Helper()
	return testenv.Daemon(t, testenv.Plain)
}

// ourSession is a private session whose metadata daemon is ours.
func ourSession(t *testing.T) *session.Session {
	t.Helper()
	testenv.RequireSession(t)
	s, err := session.Start(session.Options{Daemon: ourDaemon(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func touch(t *testing.T, paths ...string) {
	for _, p := range paths {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSetGetUnsetThroughTheDaemonMatchGio(t *testing.T) {
	s := ourSession(t)
	f := filepath.Join(s.Home, "Pictures", "beach photo.jpg")
	touch(t, f)
	for _, args := range [][]string{
		{"set", f, "annotation", "Beach, 2024"},
		{"set", f, "emblems", "emblem-favorite", "emblem-photos"},
		{"set", "--list", f, "single", "only"},
		{"set", f, "gone", "soon"},
		{"unset", f, "gone"},
		// gio users type the prefix; it names the same key.
		{"set", f, "metadata::prefixed", "yes"},
		{"set", f, "metadata::also-gone", "soon"},
		{"unset", f, "metadata::also-gone"},
	} {
		if code, _, errOut := inSession(t, s, args...); code != exitOK {
			t.Fatalf("%v: exit %d %s", args, code, errOut)
		}
	}
	md, err := gioinfo.Query(s, f)
	if err != nil {
		t.Fatal(err)
	}
	want := gioinfo.Metadata{"annotation": "Beach, 2024", "emblems": "[emblem-favorite, emblem-photos]", "single": "[only]", "prefixed": "yes"}
	if len(md[0]) != len(want) {
		t.Fatalf("gio info: %v", md[0])
	}
	for k, v := range want {
		if md[0][k] != v {
			t.Errorf("gio info %s = %q, want %q", k, md[0][k], v)
		}
	}
	// get prints exactly gio's metadata lines (gio's key order is arbitrary).
	code, out, _ := inSession(t, s, "get", f)
	gioOut, _, _ := s.Gio("info", "-a", "metadata::*", f)
	var gioLines []string
	for _, l := range strings.Split(gioOut, "\n") {
		if strings.HasPrefix(l, "  metadata::") {
			gioLines = append(gioLines, l)
		}
	}
	got := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if code != exitOK || !sameSet(got, gioLines) {
		t.Errorf("get printed %q, gio %q", got, gioLines)
	}
	for _, key := range []string{"emblems", "metadata::emblems"} {
		code, out, _ = inSession(t, s, "get", "--json", f, key)
		var doc struct{ Keys map[string]any }
		if code != exitOK || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Keys) != 1 || doc.Keys["emblems"] == nil {
			t.Errorf("get --json %s: %d %s", key, code, out)
		}
	}
	code, out, _ = inSession(t, s, "get", "--json", f, "emblems")
	var doc struct {
		Path string
		Keys map[string]any
	}
	if code != exitOK || json.Unmarshal([]byte(out), &doc) != nil || doc.Path != "/Pictures/beach photo.jpg" || len(doc.Keys) != 1 {
		t.Errorf("get --json: %d %s", code, out)
	}
	if code, _, errOut := inSession(t, s, "set", filepath.Join(s.Home, "missing"), "k", "v"); code != exitProblems || !strings.Contains(errOut, "missing") {
		t.Errorf("set on a missing file: %d %q", code, errOut)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestLsListsMergedChildren(t *testing.T) {
	code, out, _ := runTool("ls", "-l", "../testdata/move-and-copy-live/home", "/")
	if code != exitOK || out == "" {
		t.Fatalf("ls: %d %q", code, out)
	}
	code, plain, _ := runTool("ls", "../testdata/ten-thousand-flushed/home", "/bulk")
	if code != exitOK || len(strings.Split(strings.TrimSpace(plain), "\n")) != 100 {
		t.Fatalf("ls /bulk: %d, %d lines", code, len(strings.Split(plain, "\n")))
	}
	if !strings.Contains(out, " c") && !strings.Contains(out, "cd") {
		t.Errorf("long listing lacks flags:\n%s", out)
	}
}

func TestStatsCountsEntriesAndKeys(t *testing.T) {
	code, out, _ := runTool("stats", "--json", "../testdata/ten-thousand-live/home")
	var st treeStats
	if code != exitOK || json.Unmarshal([]byte(out), &st) != nil {
		t.Fatalf("stats: %d %s", code, out)
	}
	// The manifest lists 10,099 paths with keys.
	if st.PathsWithKeys != 10099 || st.JournalEntries != 337 || st.JournalBytes != 32768 || st.Keys["k"] == 0 {
		t.Errorf("stats: %+v", st)
	}
	if code, text, _ := runTool("stats", "../testdata/ten-thousand-live/home"); code != exitOK || !strings.Contains(text, "journal:") || !strings.Contains(text, "full)") {
		t.Errorf("text stats:\n%s", text)
	}
}

func TestGCListsExactlyDeletedFilesAndApplyKeepsTheRest(t *testing.T) {
	s := ourSession(t)
	keep := []string{filepath.Join(s.Home, "keep", "a.txt"), filepath.Join(s.Home, "keep", "b.txt"), filepath.Join(s.Home, "mixed", "stays.txt")}
	gone := []string{filepath.Join(s.Home, "gone", "x.txt"), filepath.Join(s.Home, "gone", "sub", "y.txt"), filepath.Join(s.Home, "mixed", "deleted.txt")}
	touch(t, append(append([]string(nil), keep...), gone...)...)
	for _, f := range append(append([]string(nil), keep...), gone...) {
		if _, _, err := s.Gio("set", f, "metadata::k", filepath.Base(f)); err != nil {
			t.Fatal(err)
		}
	}
	// Deleted behind GIO's back, as rm does.
	os.RemoveAll(filepath.Join(s.Home, "gone"))
	os.Remove(filepath.Join(s.Home, "mixed", "deleted.txt"))
	tree := filepath.Join(s.DataHome, "gvfs-metadata", "home")
	code, out, errOut := inSession(t, s, "gc", tree)
	if code != exitOK {
		t.Fatalf("gc: %d %s", code, errOut)
	}
	listed := strings.Split(strings.TrimSpace(out), "\n")
	listed = listed[:len(listed)-1] // the summary line
	want := []string{"/gone/sub/y.txt", "/gone/x.txt", "/mixed/deleted.txt"}
	if !sameSet(listed, want) {
		t.Fatalf("gc listed %q, want %q", listed, want)
	}
	before, _ := gioinfo.Query(s, keep...)
	if code, out, errOut := inSession(t, s, "gc", "--apply", tree); code != exitOK {
		t.Fatalf("gc --apply: %d %s %s", code, out, errOut)
	}
	after, _ := gioinfo.Query(s, keep...)
	for i := range keep {
		if len(after[i]) != 1 || after[i]["k"] != before[i]["k"] {
			t.Errorf("%s changed: %v -> %v", keep[i], before[i], after[i])
		}
	}
	if _, out, _ := inSession(t, s, "gc", tree); !strings.HasPrefix(out, "0 entries") {
		t.Errorf("after --apply gc still finds:\n%s", out)
	}
	// Recreated files carry no stale metadata.
	touch(t, gone...)
	md, _ := gioinfo.Query(s, gone...)
	for i := range gone {
		if len(md[i]) != 0 {
			t.Errorf("%s still has %v", gone[i], md[i])
		}
	}
	if code, _, _ := runTool("gc", filepath.Join(s.DataHome, "gvfs-metadata", "uuid-1234")); code != exitProblems {
		t.Errorf("gc of a volume tree: exit %d", code)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	code, exported, errOut := runTool("export", "../testdata/non-utf8-names-live/home")
	if code != exitOK {
		t.Fatalf("export: %d %s", code, errOut)
	}
	backup := filepath.Join(t.TempDir(), "backup.json")
	os.WriteFile(backup, []byte(exported), 0o600)
	// No daemon and no target: a new tree is written directly.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	target := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	if code, out, errOut := runTool("import", backup, target); code != exitOK {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	_, a, _ := runTool("dump", "--json", "../testdata/non-utf8-names-live/home")
	_, b, _ := runTool("dump", "--json", target)
	if a != b {
		t.Fatalf("restored tree differs:\n%s\nvs\n%s", b, a)
	}
	if code, _, _ := runTool("import", "../testdata/non-utf8-names-live/manifest.json", target+"2"); code != exitProblems {
		t.Errorf("importing a non-export JSON: exit %d", code)
	}
}

func TestImportThroughTheRunningDaemon(t *testing.T) {
	s := ourSession(t)
	f := filepath.Join(s.Home, "restored.txt")
	touch(t, f)
	backup := filepath.Join(t.TempDir(), "b.json")
	os.WriteFile(backup, []byte(`{"format":"gvfs-meta-export","version":1,"tree":"home","entries":[{"path":"/restored.txt","keys":{"k":"v","l":["a","b"]}}]}`), 0o600)
	if _, _, err := s.Gio("set", f, "metadata::other", "kept"); err != nil {
		t.Fatal(err)
	}
	tree := filepath.Join(s.DataHome, "gvfs-metadata", "home")
	if code, out, errOut := inSession(t, s, "import", backup, tree); code != exitOK || !strings.Contains(out, "through the daemon") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	md, _ := gioinfo.Query(s, f)
	if md[0]["k"] != "v" || md[0]["l"] != "[a, b]" || md[0]["other"] != "kept" {
		t.Fatalf("after import: %v", md[0])
	}
}
