// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"gvfs-metadata/internal/gioinfo"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"gvfs-metadata/internal/session"
)

// gioBatch is how many files one gio info call reads: one process per file
// would take minutes for the 10,000-path case; the argument list stays far
// below the kernel's limit.
const gioBatch = 500

// verify checks a snapshot against an expectation with the reference C
// client: a fresh session (its own HOME) gets exactly the snapshot's bytes
// as its "home" tree and journal, every expected path is created on disk,
// and `gio info` — which reads tree and journal itself, no daemon involved —
// must print exactly the expected metadata, and none for absent paths.
func verify(snap *Snapshot, exp *Expectation) error {
	s, err := session.Start(session.Options{Daemon: session.ReferenceDaemon})
	if err != nil {
		return err
	}
	defer s.Close()

	dataDir := filepath.Join(s.DataHome, "gvfs-metadata")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dataDir, "home"), snap.Tree, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dataDir, snap.JournalName), snap.Journal, 0o600); err != nil {
		return err
	}

	paths := append(exp.SortedPaths(), exp.Absent...)
	if err := createPaths(s.Home, paths); err != nil {
		return err
	}
	var problems []string
	for start := 0; start < len(paths); start += gioBatch {
		batch := paths[start:min(start+gioBatch, len(paths))]
		args := []string{"info", "-a", "metadata::*"}
		for _, p := range batch {
			args = append(args, diskPath(s.Home, p))
		}
		out, _, err := s.Gio(args...)
		if err != nil {
			return err
		}
		blocks, err := gioinfo.Parse(out)
		if err != nil {
			return err
		}
		if len(blocks) != len(batch) {
			return fmt.Errorf("gio info printed %d files for %d arguments", len(blocks), len(batch))
		}
		for i, p := range batch {
			problems = append(problems, compareKeys(p, exp.Entries[p], blocks[i])...)
		}
	}
	if len(problems) > 0 {
		if len(problems) > 20 {
			problems = append(problems[:20], fmt.Sprintf("... and %d more", len(problems)-20))
		}
		return fmt.Errorf("gio info disagrees with the manifest:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// compareKeys compares one file's printed metadata (a set: gio's key order
// is arbitrary) with the expectation; want is nil for an absent path.
func compareKeys(p string, want Keys, got map[string]string) []string {
	var problems []string
	for key, v := range want {
		g, ok := got[key]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%q: key %q missing (want %q)", p, key, gioString(v)))
		case g != gioString(v):
			problems = append(problems, fmt.Sprintf("%q: key %q = %q, want %q", p, key, g, gioString(v)))
		}
	}
	for key, g := range got {
		if _, ok := want[key]; !ok {
			problems = append(problems, fmt.Sprintf("%q: unexpected key %q = %q", p, key, g))
		}
	}
	sort.Strings(problems)
	return problems
}

func diskPath(home, p string) string {
	if p == "/" {
		return home
	}
	return home + p
}

// createPaths makes every path exist under home: as a directory when
// another path lies below it, else as an empty file. Metadata does not care
// which; gio info only needs something to stat.
func createPaths(home string, paths []string) error {
	dirs := map[string]bool{}
	for _, p := range paths {
		for d := path.Dir(p); d != "/" && d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for _, p := range paths {
		if p == "/" {
			continue
		}
		disk := diskPath(home, p)
		if dirs[p] {
			if err := os.MkdirAll(disk, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(disk), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(disk, nil, 0o644); err != nil {
			return err
		}
	}
	return nil
}
