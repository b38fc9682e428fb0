// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"gvfs-metadata/format"
)

func init() {
	register("verify", "check every structural rule of a tree and its journal", runVerify)
}

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("verify", "TREEFILE",
		"Check TREEFILE and its journal against every rule of the format: header,\n"+
			"bounds and alignment of every block, sort order of keys and children,\n"+
			"key ids, string termination, journal tag, size and entry checksums, and\n"+
			"that the tree is not a stale one marked rotated. Prints each problem with\n"+
			"its file offset; exits 0 when clean, 1 when problems were found. A last\n"+
			"journal entry that does not check out is what a crash in the middle of\n"+
			"a write leaves; readers ignore it by design, so it is a note, not a\n"+
			"problem.",
		"gvfs-meta verify ~/.local/share/gvfs-metadata/home", stderr)
	if stop, status := parseCommand(fs, args, stdout, operands{1, 1, "one TREEFILE"}); stop {
		return status
	}
	problems, notes, err := verifyTree(fs.Arg(0))
	if err != nil {
		return fail(stderr, "verify", err)
	}
	for _, n := range notes {
		fmt.Fprintln(stdout, n)
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if n := len(problems); n > 0 {
		noun := "problems"
		if n == 1 {
			noun = "problem"
		}
		fmt.Fprintf(stdout, "%d %s\n", n, noun)
		return exitProblems
	}
	fmt.Fprintln(stdout, "ok")
	return exitOK
}

// verifyTree checks a tree file and its journal; problems name the file
// and offset, notes are facts that are not damage.
func verifyTree(path string) (problems, notes []string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range format.CheckTree(data) {
		problems = append(problems, fmt.Sprintf("%s: %s", path, p))
	}
	t, perr := format.ParseTree(data)
	if perr != nil {
		return problems, notes, nil
	}
	jpath := format.JournalFilename(path, t.Tag())
	jdata, err := os.ReadFile(jpath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		notes = append(notes, fmt.Sprintf("%s: no journal (readers see the tree alone; the daemon creates one on the next write)", jpath))
	case err != nil:
		problems = append(problems, fmt.Sprintf("%s: %v", jpath, err))
	default:
		jproblems, jnotes := checkJournal(jpath, jdata, t.Tag())
		problems, notes = append(problems, jproblems...), append(notes, jnotes...)
	}
	return problems, notes, nil
}

// checkJournal checks a journal. Readers stop at the first entry that
// does not check out: when that is the last one published, it is the
// write a crash cut short (nothing after it is lost), a note; an earlier
// one hides entries that were whole, a problem.
func checkJournal(path string, data []byte, tag uint32) (problems, notes []string) {
	j, err := format.ParseJournal(data, tag)
	if err == nil && j.Broken() != nil && int(j.Published()) == j.Len()+1 {
		return nil, []string{fmt.Sprintf("%s: the last entry is torn (a crash cut its write short); readers ignore it: %v", path, j.Broken())}
	}
	for _, p := range format.CheckJournal(data, tag) {
		problems = append(problems, fmt.Sprintf("%s: %s", path, p))
	}
	return problems, nil
}
