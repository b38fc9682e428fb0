// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gvfs-metadata/internal/gioinfo"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
)

// TestSalvageOfEachDamageYieldsATreeThatVerifiesAndGioReads salvages every
// damaged copy, checks the result with verify, and has the real C client
// read it as a home tree: files that kept their metadata show it.
func TestSalvageOfEachDamageYieldsATreeThatVerifiesAndGioReads(t *testing.T) {
	testenv.RequireSession(t)
	s, err := session.Start(session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dataDir := filepath.Join(s.DataHome, "gvfs-metadata")
	// A file the reference data gives a key in the tree (not the journal).
	probe := "/bulk/d00/f000"
	os.MkdirAll(filepath.Join(s.Home, "bulk", "d00"), 0o755)
	os.WriteFile(filepath.Join(s.Home, probe), nil, 0o644)
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			tree := damagedCopy(t, damageCase, t.TempDir(), d)
			out := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
			code, report, errOut := runTool("salvage", tree, "--out", out)
			if code != exitOK {
				t.Fatalf("salvage exit %d: %s%s", code, report, errOut)
			}
			if code, vout, _ := runTool("verify", out); code != exitOK {
				t.Fatalf("salvaged tree does not verify:\n%s\nsalvage said:\n%s", vout, report)
			}
			if !d.journal && !strings.Contains(report, "tree:") {
				t.Errorf("report does not say what happened to the tree:\n%s", report)
			}
			// Install the salvaged tree as the session's home tree.
			os.RemoveAll(dataDir)
			os.MkdirAll(dataDir, 0o700)
			entries, _ := os.ReadDir(filepath.Dir(out))
			for _, e := range entries {
				b, _ := os.ReadFile(filepath.Join(filepath.Dir(out), e.Name()))
				os.WriteFile(filepath.Join(dataDir, e.Name()), b, 0o600)
			}
			md, err := gioinfo.Query(s, filepath.Join(s.Home, probe))
			if err != nil {
				t.Fatalf("gio info on the salvaged tree: %v", err)
			}
			wholeTree := d.journal || d.name == "marked rotated"
			if wholeTree && md[0]["k"] == "" {
				t.Errorf("damage only in the journal, yet %s lost its key: %v", probe, md[0])
			}
		})
	}
}
