// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestManualAndCompletionsCoverEveryCommandAndOption: the manual page and
// the three completion scripts name every command and each of its
// options, and bash completes them.
func TestManualAndCompletionsCoverEveryCommandAndOption(t *testing.T) {
	_, man, _ := runTool("help", "--man")
	scripts := map[string]string{}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := runTool("completion", shell)
		if code != exitOK {
			t.Fatalf("completion %s: exit %d %s", shell, code, errOut)
		}
		scripts[shell] = out
	}
	for _, d := range allDocs() {
		if !strings.Contains(man, ".SS \"gvfs\\-meta "+roff(d.name)+" ") {
			t.Errorf("the manual has no section for %s", d.name)
		}
		for _, o := range optionNames(d) {
			if o != "--help" && !strings.Contains(man, `\fB`+roff(o)+`\fR`) {
				t.Errorf("the manual does not describe %s %s", d.name, o)
			}
			if !strings.Contains(scripts["bash"], " "+d.name+") options=") || !strings.Contains(scripts["bash"], o) {
				t.Errorf("bash completion lacks %s %s", d.name, o)
			}
			name := strings.TrimLeft(o, "-")
			if !strings.Contains(scripts["zsh"], "'"+o+"[") && o != "--help" {
				t.Errorf("zsh completion lacks %s %s", d.name, o)
			}
			if !strings.Contains(scripts["fish"], "__fish_seen_subcommand_from "+d.name+"' -") || (o != "--help" && !strings.Contains(scripts["fish"], " "+name+" ")) {
				t.Errorf("fish completion lacks %s %s", d.name, o)
			}
		}
	}
	complete := func(words ...string) string {
		script := scripts["bash"] + "\nCOMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _gvfs_meta; echo \"${COMPREPLY[*]}\""
		out, err := exec.Command("bash", append([]string{"-c", script, "bash"}, words...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	for words, want := range map[string]string{
		"gvfs-meta s":               "salvage set stats status",
		"gvfs-meta mv --m":          "--metadata-only",
		"gvfs-meta ls -":            "-l --help",
		"gvfs-meta help im":         "import import-nautilus",
		"gvfs-meta completion f":    "fish",
		"gvfs-meta dump some/file ": "",
	} {
		if got := complete(strings.Split(words, " ")...); got != want {
			t.Errorf("completing %q: %q, want %q", words, got, want)
		}
	}
}
