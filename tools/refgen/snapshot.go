// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Snapshot is a copy of the "home" tree and its journal.
type Snapshot struct {
	Tree        []byte
	JournalName string
	Journal     []byte
	Tag         uint32
	Entries     int // valid journal entries
}

// takeSnapshot copies tree and journal out of dataDir. With the daemon still
// running it is safe because every write was a synchronous call that has
// returned; the only thing that can change the files now is the reference's
// 60-second flush timer, so the tree is read again afterwards and the copy
// retried if it rotated in between.
func takeSnapshot(dataDir string) (*Snapshot, error) {
	treePath := filepath.Join(dataDir, "home")
	for attempt := 0; attempt < 3; attempt++ {
		tree, err := os.ReadFile(treePath)
		if err != nil {
			return nil, err
		}
		tag, err := treeTag(tree)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", treePath, err)
		}
		name := journalName("home", tag)
		journal, err := os.ReadFile(filepath.Join(dataDir, name))
		if err != nil {
			return nil, err
		}
		again, err := os.ReadFile(treePath)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(tree, again) {
			continue
		}
		info, err := parseJournal(journal)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if info.Tag != tag {
			return nil, fmt.Errorf("%s: journal tag %08x, tree tag %08x", name, info.Tag, tag)
		}
		return &Snapshot{Tree: tree, JournalName: name, Journal: journal, Tag: tag, Entries: len(info.Entries)}, nil
	}
	return nil, fmt.Errorf("%s kept changing while being copied", treePath)
}

// dataFiles lists dataDir, to catch leftovers (old journals, temporary
// trees) that would mean the reference did not finish a rotation.
func dataFiles(dataDir string) ([]string, error) {
	ents, err := os.ReadDir(dataDir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// readTag reads the current tree's tag; used to count rotations.
func readTag(treePath string) (uint32, error) {
	f, err := os.Open(treePath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	head := make([]byte, 32)
	if _, err := f.ReadAt(head, 0); err != nil {
		return 0, fmt.Errorf("%s: %w", treePath, err)
	}
	return treeTag(head)
}
