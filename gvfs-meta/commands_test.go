// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gvfs-metadata/internal/version"
)

// TestEachCommandAgainstMissingAndWrongInput runs every subcommand the
// ways scripts trip over: a tree or file that is not there, the wrong
// tree, options after the operands, and --json, checking the exit status,
// that an error names what it is about and that JSON output parses.
func TestEachCommandAgainstMissingAndWrongInput(t *testing.T) {
	s := ourSession(t)
	trees := filepath.Join(s.DataHome, "gvfs-metadata")
	home := filepath.Join(trees, "home")
	noTree := filepath.Join(trees, "hmoe") // a typo
	file := filepath.Join(s.Home, "doc.txt")
	noFile := filepath.Join(s.Home, "nope.txt")
	notATree := filepath.Join(s.Home, "notes.json")
	touch(t, file)
	os.WriteFile(notATree, []byte(`{"not": "a tree"}`), 0o644)
	if _, _, err := s.Gio("set", file, "metadata::k", "v"); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := inSession(t, s, "status"); code != exitOK { // the daemon runs
		t.Fatalf("status: %d %s", code, errOut)
	}
	backup := filepath.Join(t.TempDir(), "home.json")
	_, exported, _ := inSession(t, s, "export", home)
	os.WriteFile(backup, []byte(exported), 0o644)

	const (
		anyOutput = iota
		jsonOutput
		noOutput
	)
	for _, c := range []struct {
		args   []string
		code   int
		out    int    // what stdout must be
		stderr string // what stderr must name, if anything
	}{
		// where: a missing file is still located, with a note.
		{[]string{"where", file, "--json"}, exitOK, jsonOutput, ""},
		{[]string{"where", noFile}, exitOK, anyOutput, noFile},
		// get: gio info's statuses.
		{[]string{"get", file, "--json"}, exitOK, jsonOutput, ""},
		{[]string{"get", file, "k", "--json"}, exitOK, jsonOutput, ""},
		{[]string{"get", file, "missing-key"}, exitOK, noOutput, "missing-key"},
		{[]string{"get", noFile}, exitNoFile, noOutput, noFile},
		// set, unset: gio set's.
		{[]string{"set", file, "k2", "v2"}, exitOK, noOutput, ""},
		{[]string{"set", noFile, "k", "v"}, exitProblems, noOutput, noFile},
		{[]string{"unset", file, "k2"}, exitOK, noOutput, ""},
		{[]string{"unset", noFile, "k"}, exitProblems, noOutput, noFile},
		// Read commands on a tree: missing, not a tree, options last.
		{[]string{"dump", home, "--json"}, exitOK, jsonOutput, ""},
		{[]string{"dump", noTree}, exitProblems, noOutput, noTree},
		{[]string{"dump", notATree}, exitProblems, noOutput, notATree},
		{[]string{"ls", home, "/", "-l"}, exitOK, anyOutput, ""},
		{[]string{"ls", noTree}, exitProblems, noOutput, noTree},
		{[]string{"ls", home, "/no/such/dir"}, exitProblems, noOutput, "/no/such/dir"},
		{[]string{"ls", home, "relative"}, exitUsage, noOutput, "relative"},
		{[]string{"stats", home, "--json"}, exitOK, jsonOutput, ""},
		{[]string{"stats", noTree}, exitProblems, noOutput, noTree},
		{[]string{"stats", notATree}, exitProblems, noOutput, notATree},
		{[]string{"verify", home}, exitOK, anyOutput, ""},
		{[]string{"verify", noTree}, exitProblems, noOutput, noTree},
		{[]string{"verify", notATree}, exitProblems, anyOutput, ""},
		{[]string{"export", home, "--json"}, exitOK, jsonOutput, ""},
		{[]string{"export", noTree}, exitProblems, noOutput, noTree},
		{[]string{"salvage", noTree, "--out", filepath.Join(t.TempDir(), "new")}, exitProblems, noOutput, noTree},
		{[]string{"gc", home}, exitOK, anyOutput, ""},
		{[]string{"gc", noTree}, exitProblems, noOutput, noTree},
		{[]string{"gc", filepath.Join(trees, "uuid-1234")}, exitProblems, noOutput, "uuid-1234"}, // a volume's tree
		// import: the backup must be there and be one of this tree.
		{[]string{"import", filepath.Join(s.Home, "missing.json"), home}, exitProblems, noOutput, "missing.json"},
		{[]string{"import", backup, filepath.Join(trees, "root")}, exitProblems, noOutput, "home"},
		{[]string{"import", backup, home}, exitOK, anyOutput, ""},
		{[]string{"import-nautilus", filepath.Join(s.Home, "no-metafiles"), "--dry-run"}, exitProblems, noOutput, "no-metafiles"},
		{[]string{"import-nautilus", "--dry-run"}, exitOK, anyOutput, ""}, // no ~/.nautilus: nothing to do
		// mv, cp: the source must be there, the target not.
		{[]string{"cp", noFile, filepath.Join(s.Home, "x")}, exitProblems, noOutput, noFile},
		{[]string{"mv", noFile, filepath.Join(s.Home, "x")}, exitProblems, noOutput, noFile},
		{[]string{"cp", file, notATree}, exitProblems, noOutput, notATree},
		{[]string{"cp", file, filepath.Join(s.Home, "copy.txt"), "--metadata-only"}, exitProblems, noOutput, "copy.txt"},
		{[]string{"status", "--json"}, exitOK, jsonOutput, ""},
		{[]string{"completion", "tcsh"}, exitUsage, noOutput, "tcsh"},
		{[]string{"help", "dump"}, exitOK, anyOutput, ""},
		{[]string{"help", "frobnicate"}, exitUsage, noOutput, "frobnicate"},
	} {
		code, out, errOut := inSession(t, s, c.args...)
		what := "gvfs-meta " + strings.Join(c.args, " ")
		if code != c.code {
			t.Errorf("%s: exit %d, want %d\n%s%s", what, code, c.code, out, errOut)
			continue
		}
		switch c.out {
		case jsonOutput:
			if !json.Valid([]byte(out)) {
				t.Errorf("%s: output is not JSON:\n%s", what, out)
			}
		case noOutput:
			if out != "" {
				t.Errorf("%s: printed %q on stdout", what, out)
			}
		}
		if c.stderr != "" && !strings.Contains(errOut, c.stderr) {
			t.Errorf("%s: stderr %q does not name %s", what, errOut, c.stderr)
		}
	}
}

func TestVersionAndHelpOfACommand(t *testing.T) {
	code, out, _ := runTool("--version")
	if code != exitOK || out != "gvfs-meta "+version.String()+"\n" {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	for name := range commands {
		_, viaHelp, _ := runTool("help", name)
		_, own, _ := runTool(name, "--help")
		if viaHelp != own || !strings.HasPrefix(own, "Usage: gvfs-meta "+name+" ") {
			t.Errorf("help %s printed %q; %s --help %q", name, viaHelp, name, own)
		}
	}
	// Options after operands parse as before them.
	_, before, _ := runTool("dump", "--json", "../testdata/strings-and-lists-live/home")
	_, after, _ := runTool("dump", "../testdata/strings-and-lists-live/home", "--json")
	if before != after || !json.Valid([]byte(after)) {
		t.Errorf("dump TREE --json differs from dump --json TREE:\n%s\n%s", after, before)
	}
	// After "--", everything is an operand.
	if code, _, errOut := runTool("dump", "--", "--json"); code != exitProblems || !strings.Contains(errOut, "--json") {
		t.Errorf("dump -- --json: exit %d %q, want the tree --json not found", code, errOut)
	}
}
