// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

const damageCase = "../testdata/ten-thousand-live"

func TestVerifyPassesEveryReferenceFile(t *testing.T) {
	dirs, _ := filepath.Glob("../testdata/*/manifest.json")
	if len(dirs) == 0 {
		t.Fatal("no reference data")
	}
	for _, m := range dirs {
		dir := filepath.Dir(m)
		code, out, errOut := runTool("verify", filepath.Join(dir, "home"))
		// Its last entry is torn, as a crash leaves it: a note, not damage.
		if strings.Contains(dir, "corrupt-journal-tail") {
			if code != exitOK || !strings.Contains(out, "torn") || !strings.Contains(out, "checksum") || !strings.HasSuffix(out, "\nok\n") {
				t.Errorf("%s: exit %d, want a note and ok:\n%s", dir, code, out)
			}
			continue
		}
		if code != exitOK || strings.TrimSpace(out) != "ok" {
			t.Errorf("%s: exit %d\n%s%s", dir, code, out, errOut)
		}
	}
}

// TestVerifyFlagsEveryDamage breaks a reference tree or journal in each
// detectable way and expects verify to report a problem with an offset.
func TestVerifyFlagsEveryDamage(t *testing.T) {
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			tree := damagedCopy(t, damageCase, t.TempDir(), d)
			code, out, errOut := runTool("verify", tree)
			if code != exitProblems {
				t.Fatalf("exit %d, want %d\n%s%s", code, exitProblems, out, errOut)
			}
			if !strings.Contains(out, "offset ") {
				t.Errorf("problem without an offset:\n%s", out)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			summary := fmt.Sprintf("%d problems", len(lines)-1)
			if len(lines) == 2 {
				summary = "1 problem"
			}
			if lines[len(lines)-1] != summary {
				t.Errorf("summary %q, want %q", lines[len(lines)-1], summary)
			}
		})
	}
}
