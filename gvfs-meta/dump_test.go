// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// runTool runs gvfs-meta with args and returns its exit status and output.
func runTool(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

type manifestEntry struct {
	Path       string         `json:"path"`
	PathBase64 string         `json:"path_base64"`
	Keys       map[string]any `json:"keys"`
}

func (e manifestEntry) raw() string {
	if e.PathBase64 != "" {
		b, _ := base64.StdEncoding.DecodeString(e.PathBase64)
		return string(b)
	}
	return e.Path
}

func readManifest(t *testing.T, dir string) []manifestEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Entries []manifestEntry }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Entries
}

// TestDumpJSONOfReferenceTreesMatchesManifests dumps every reference tree
// + journal: the paths with keys and their values must be the manifest's,
// sorted by path bytes, with path_base64 exactly for non-UTF-8 paths.
func TestDumpJSONOfReferenceTreesMatchesManifests(t *testing.T) {
	dirs, _ := filepath.Glob("../testdata/*/manifest.json")
	if len(dirs) == 0 {
		t.Fatal("no reference test data")
	}
	for _, m := range dirs {
		dir := filepath.Dir(m)
		code, out, errOut := runTool("dump", "--json", filepath.Join(dir, "home"))
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", dir, code, errOut)
		}
		var doc struct{ Entries []manifestEntry }
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if !sort.SliceIsSorted(doc.Entries, func(i, j int) bool { return doc.Entries[i].raw() < doc.Entries[j].raw() }) {
			t.Errorf("%s: entries not sorted by path bytes", dir)
		}
		var withKeys []manifestEntry
		for _, e := range doc.Entries {
			if (e.PathBase64 != "") == (e.Path != "") {
				t.Errorf("%s: entry needs exactly one of path and path_base64: %+v", dir, e)
			}
			if e.PathBase64 != "" && strings.ToValidUTF8(e.raw(), "") == e.raw() {
				t.Errorf("%s: UTF-8 path %q given as base64", dir, e.raw())
			}
			if len(e.Keys) > 0 {
				withKeys = append(withKeys, e)
			}
		}
		want := readManifest(t, dir)
		if len(withKeys) != len(want) {
			t.Errorf("%s: %d paths with keys, manifest %d", dir, len(withKeys), len(want))
			continue
		}
		for i := range want {
			if withKeys[i].raw() != want[i].raw() || !reflect.DeepEqual(withKeys[i].Keys, want[i].Keys) {
				t.Errorf("%s: entry %d = %+v, manifest %+v", dir, i, withKeys[i], want[i])
			}
		}
	}
}

func TestDumpTextShowsKeysLikeGio(t *testing.T) {
	code, out, _ := runTool("dump", "../testdata/strings-and-lists-flushed/home")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"\n  emblems: [", "(changed 20"} {
		if !strings.Contains(out, want) {
			t.Errorf("dump output lacks %q:\n%s", want, out)
		}
	}
}

func TestDumpReportsCorruptTreeWithFileAndOffset(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "home")
	good, _ := os.ReadFile("../testdata/root-level-flushed/home")
	bad := append([]byte(nil), good...)
	copy(bad[20:24], []byte{0, 0, 0xff, 0xf1}) // key table pointer past the end, misaligned
	os.WriteFile(tree, bad, 0o600)
	code, _, errOut := runTool("dump", tree)
	if code != exitProblems || !strings.Contains(errOut, tree) || !strings.Contains(errOut, "offset 20") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	os.WriteFile(tree, []byte("not a tree at all, just text long enough for a header"), 0o600)
	if code, _, errOut := runTool("dump", tree); code != exitProblems || !strings.Contains(errOut, "offset 0") {
		t.Fatalf("garbage: exit %d, stderr %q", code, errOut)
	}
}

func TestDumpWarnsAboutADamagedJournalTail(t *testing.T) {
	code, out, errOut := runTool("dump", "--json", "../testdata/corrupt-journal-tail/home")
	if code != exitOK || !strings.Contains(errOut, "warning") || !strings.Contains(out, `"state": "before"`) {
		t.Fatalf("exit %d, stderr %q, out %s", code, errOut, out)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{{}, {"dump"}, {"dump", "a", "b"}, {"dump", "--bogus", "x"}, {"frobnicate"}} {
		if code, _, _ := runTool(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	code, out, _ := runTool("dump", "--help")
	if code != exitOK || !strings.Contains(out, "Example:") {
		t.Errorf("dump --help: exit %d\n%s", code, out)
	}
}

func TestEveryCommandHasHelpWithAnExample(t *testing.T) {
	for name := range commands {
		code, out, _ := runTool(name, "--help")
		if code != exitOK || !strings.Contains(out, "Example:") || !strings.Contains(out, "Usage: gvfs-meta "+name) {
			t.Errorf("%s --help: exit %d\n%s", name, code, out)
		}
	}
	if len(commands) < 11 {
		t.Errorf("only %d commands registered", len(commands))
	}
}
